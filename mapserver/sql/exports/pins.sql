-- Pins with their attributes and location, for planners' exports only (location_precision
-- 'district': placed at the district's centre, chosen without the map). A comment is
-- exported only once approved; residents' comments awaiting moderation never leave the system.
-- A pin without a comment has no moderation state: its status is NULL ("kein Kommentar").
-- created_at as it is stored (timestamptz); the export writes it with its offset.
-- lon/lat are WGS84 always, the stored coordinates; the geometry (wkb) only for another CRS the
-- planner chose (:srid): in WGS84 the export makes its points from lon/lat.
SELECT p.client_id::text AS id, p.category, array_to_string(p.dimensions, ',') AS dimensions,
       CASE WHEN p.status = ANY(CAST(:shown_statuses AS text[])) THEN p.comment END AS comment,
       p.age_band, p.years_here,
       CASE WHEN NULLIF(btrim(p.comment), '') IS NOT NULL THEN p.status END AS status,
       p.created_at,
       m.ags AS municipality_ags, m.name AS municipality, d.name AS district,
       p.location_precision, p.source, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       CASE WHEN CAST(:srid AS integer) <> :storage_srid
            THEN ST_AsBinary(ST_Transform(p.geom, CAST(:srid AS integer))) END AS wkb
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
LEFT JOIN district d ON d.id = p.district_id
-- The pin's attributes under the names the planner's filters read (fragments/pin_filter.sql, the
-- same rules as on the numbers): its local day as created_on.
CROSS JOIN LATERAL (
    SELECT p.category, p.dimension_mask, CAST(p.created_at AT TIME ZONE :time_zone AS date) AS created_on,
           p.age_band, p.years_here, p.source
) AS q
WHERE (CAST(:ags AS varchar) IS NULL OR p.municipality_ags = CAST(:ags AS varchar)) AND {{pin_filter}}
ORDER BY p.id
