-- The county's actors for the staff list, the API and the edit form (by :id), optionally of one
-- municipality and kind. Where there is no point, the Ortsteil's centre (its Ortsteil point, else
-- a point inside its outline) stands in and `at_district_centre` says so; an actor with neither
-- has no place on a map (lon, lat NULL).
SELECT a.id, a.name, a.kind, a.description, a.contact, a.municipality_ags, m.name AS municipality_name,
       a.district_id, d.name AS district_name, a.created_at, a.updated_at,
       ST_Y(a.geom) AS point_lat, ST_X(a.geom) AS point_lon,
       ST_Y(COALESCE(a.geom, d.centre, ST_PointOnSurface(d.geom))) AS lat,
       ST_X(COALESCE(a.geom, d.centre, ST_PointOnSurface(d.geom))) AS lon,
       a.geom IS NULL AS at_district_centre
FROM local_actor a
JOIN municipality m ON m.ags = a.municipality_ags
LEFT JOIN district d ON d.id = a.district_id
WHERE a.county_key = :county_key
  AND (CAST(:id AS integer) IS NULL OR a.id = CAST(:id AS integer))
  AND (CAST(:ags AS text) IS NULL OR a.municipality_ags = CAST(:ags AS text))
  AND (CAST(:kind AS text) IS NULL OR a.kind = CAST(:kind AS text))
ORDER BY m.name, lower(a.name), a.id
