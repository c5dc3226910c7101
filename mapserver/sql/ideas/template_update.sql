-- An answer template changed (answers made from it keep their own text).
UPDATE answer_template SET title = :title, state = :state, body = :body
WHERE id = :template_id AND county_key = :county_key
RETURNING id, title, state, body
