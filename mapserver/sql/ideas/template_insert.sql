-- A new answer template.
INSERT INTO answer_template (county_key, title, state, body) VALUES (:county_key, :title, :state, :body)
RETURNING id, title, state, body
