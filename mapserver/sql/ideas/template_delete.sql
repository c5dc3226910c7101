-- An answer template deleted (answers made from it keep their own text).
DELETE FROM answer_template WHERE id = :template_id AND county_key = :county_key
RETURNING id, title, state, body
