-- One project of the county with everything a page shows of it besides its lists: progress by
-- the one rule (the fragment project_progress), the municipality's and responsible account's names, its
-- Ortsteile by name and its area as GeoJSON (rounded to 6 decimals, 0.1 m).
SELECT p.id, p.county_key, p.municipality_ags, mu.name AS municipality_name, p.district_ids, p.title, p.description,
       p.status, p.start_on, p.accompaniment_end, p.progress_set, {{project_progress}} AS progress,
       p.baseline, p.responsible_id, r.name AS responsible_name, p.created_by, p.created_at, p.updated_at,
       ST_AsGeoJSON(p.area, 6) AS area,
       COALESCE((SELECT array_agg(d.name ORDER BY d.name) FROM district d WHERE d.id = ANY (p.district_ids)),
                ARRAY[]::text[]) AS district_names
FROM project p
JOIN municipality mu ON mu.ags = p.municipality_ags
LEFT JOIN account r ON r.id = p.responsible_id
WHERE p.id = :id AND p.county_key = :county_key
