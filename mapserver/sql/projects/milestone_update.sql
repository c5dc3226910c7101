-- A milestone changed (title, text, due and done dates together: the form shows them all).
UPDATE project_milestone SET title = :title, body = :body, due_on = :due_on, done_on = :done_on
WHERE id = :id AND project_id = :project_id
RETURNING id
