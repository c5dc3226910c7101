-- The county's projects (or :ags's) for the export: status, progress by the shared rule, dates,
-- partners and linked published ideas, the area as WKB in the requested CRS (polygons only).
SELECT p.id, p.title, p.description, p.status, {{project_progress}} AS progress, p.start_on, p.accompaniment_end,
       p.created_at, p.updated_at, p.municipality_ags, m.name AS municipality_name,
       array_to_string(ARRAY(SELECT d.name FROM district d WHERE d.id = ANY (p.district_ids) ORDER BY d.name), ', ')
           AS district_names,
       array_to_string(ARRAY(SELECT a.name FROM project_partner pp JOIN local_actor a ON a.id = pp.actor_id
                             WHERE pp.project_id = p.id ORDER BY a.name), ', ') AS partner_names,
       array_to_string(ARRAY(SELECT i.id FROM project_idea pi JOIN idea i ON i.id = pi.idea_id
                             WHERE pi.project_id = p.id AND i.status = ANY (:shown_statuses) ORDER BY i.id), ',')
           AS idea_ids,
       (SELECT count(*) FROM project_milestone ms WHERE ms.project_id = p.id)::integer AS milestones,
       (SELECT count(*) FROM project_milestone ms WHERE ms.project_id = p.id AND ms.done_on IS NOT NULL)::integer
           AS milestones_done,
       ST_AsBinary(ST_Transform(ST_CollectionExtract(p.area, 3), CAST(:srid AS integer))) AS geom_wkb
FROM project p
JOIN municipality m ON m.ags = p.municipality_ags
WHERE p.county_key = :county_key AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = :ags)
ORDER BY p.id
