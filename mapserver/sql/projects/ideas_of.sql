-- The ideas a project was made from, oldest first, with what a list shows of each (only
-- published ideas can be linked; one hidden later stays linked but is marked by its status).
SELECT i.id, i.title, i.body, i.status, i.source, i.municipality_ags, i.hotspot_id, i.hotspot_run_id,
       i.support_count, i.created_at
FROM project_idea pi
JOIN idea i ON i.id = pi.idea_id
WHERE pi.project_id = :project_id
ORDER BY i.created_at, i.id
