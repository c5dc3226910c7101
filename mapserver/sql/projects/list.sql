-- The county's projects (or one municipality's), newest start first, with progress by the one
-- rule, the date of the last update and their area as GeoJSON (public lists and maps, the API).
SELECT p.id, p.municipality_ags, mu.name AS municipality_name, p.district_ids, p.title, p.description, p.status,
       p.start_on, p.accompaniment_end, {{project_progress}} AS progress,
       (SELECT max(u.published_at) FROM project_update u WHERE u.project_id = p.id) AS last_update_at,
       ST_AsGeoJSON(p.area, 6) AS area
FROM project p
JOIN municipality mu ON mu.ags = p.municipality_ags
WHERE p.county_key = :county_key AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = :ags)
ORDER BY p.start_on DESC, p.id DESC
