-- A project's milestones in the order they are due (the list and the report).
SELECT id, title, body, due_on, done_on
FROM project_milestone
WHERE project_id = :project_id
ORDER BY due_on, id
