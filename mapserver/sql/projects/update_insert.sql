-- A public update of a project of the county (its photo already re-encoded without metadata).
INSERT INTO project_update (project_id, body, photo, photo_caption, created_by, published_at)
SELECT p.id, :body, :photo, :photo_caption, :created_by, :published_at
FROM project p WHERE p.id = :project_id AND p.county_key = :county_key
RETURNING id, published_at
