-- One update of one project of the county (for the audit log before it is removed).
SELECT u.id, u.project_id, u.body, octet_length(u.photo) AS photo_bytes, u.photo_caption, u.published_at
FROM project_update u JOIN project p ON p.id = u.project_id
WHERE u.id = :id AND u.project_id = :project_id AND p.county_key = :county_key
