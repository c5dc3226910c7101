-- An update removed (with its photo).
DELETE FROM project_update WHERE id = :id AND project_id = :project_id RETURNING id
