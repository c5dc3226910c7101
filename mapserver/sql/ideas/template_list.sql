-- The county's answer templates, by title.
SELECT id, title, state, body FROM answer_template WHERE county_key = :county_key ORDER BY lower(title), id
