-- A milestone removed.
DELETE FROM project_milestone WHERE id = :id AND project_id = :project_id RETURNING id
