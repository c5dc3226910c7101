-- A project's milestones in the order of their due dates.
SELECT id, project_id, title, body, due_on, done_on
FROM project_milestone
WHERE project_id = :project_id
ORDER BY due_on, id
