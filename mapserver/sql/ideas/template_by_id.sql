-- One answer template of the county.
SELECT id, title, state, body FROM answer_template WHERE id = :template_id AND county_key = :county_key
