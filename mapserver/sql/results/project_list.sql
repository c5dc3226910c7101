-- The projects of one municipality (or, with :ags NULL, of the whole county), newest start first,
-- with everything the public list, the map, /api/projects and the export show: the progress by
-- the one shared rule, the area as polygons only (a project's area is hotspot or district outlines,
-- never a resident's point: anything else the column might hold is dropped), the district and
-- partner names, and the ids of the linked ideas that are published (a pending or hidden idea is
-- not named anywhere public).
SELECT p.id, p.title, p.description, p.status, p.start_on, p.accompaniment_end, p.created_at, p.updated_at,
       p.municipality_ags, m.name AS municipality_name,
       {{project_progress}} AS progress,
       ST_AsGeoJSON(ST_CollectionExtract(p.area, 3), 6) AS area_geojson,
       ARRAY(SELECT d.name FROM district d WHERE d.id = ANY (p.district_ids) ORDER BY d.name) AS district_names,
       ARRAY(SELECT a.name FROM project_partner pp JOIN local_actor a ON a.id = pp.actor_id
             WHERE pp.project_id = p.id ORDER BY a.name) AS partner_names,
       ARRAY(SELECT i.id FROM project_idea pi JOIN idea i ON i.id = pi.idea_id
             WHERE pi.project_id = p.id AND i.status = ANY (:shown_statuses) ORDER BY i.id) AS idea_ids
FROM project p
JOIN municipality m ON m.ags = p.municipality_ags
WHERE p.county_key = :county_key
  AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = :ags)
ORDER BY p.start_on DESC, p.id DESC
