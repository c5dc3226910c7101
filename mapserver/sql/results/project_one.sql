-- One project of the county for its public page and report: the same columns as project_list
-- (progress by the shared rule, polygons only), plus the baseline kept when it started. A project
-- of another county is not found.
SELECT p.id, p.title, p.description, p.status, p.start_on, p.accompaniment_end, p.created_at, p.updated_at,
       p.municipality_ags, m.name AS municipality_name, p.baseline,
       {{project_progress}} AS progress,
       ST_AsGeoJSON(ST_CollectionExtract(p.area, 3), 6) AS area_geojson,
       ARRAY(SELECT d.name FROM district d WHERE d.id = ANY (p.district_ids) ORDER BY d.name) AS district_names
FROM project p
JOIN municipality m ON m.ags = p.municipality_ags
WHERE p.county_key = :county_key AND p.id = :project_id
