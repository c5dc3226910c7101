-- A new milestone of a project (of this county: the project's row guards it).
INSERT INTO project_milestone (project_id, title, body, due_on, done_on)
SELECT p.id, :title, :body, :due_on, :done_on FROM project p WHERE p.id = :project_id AND p.county_key = :county_key
RETURNING id
