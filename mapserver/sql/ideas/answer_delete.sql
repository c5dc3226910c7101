-- A draft deleted; published answers stay (the public saw them): no row then.
DELETE FROM idea_answer a USING idea i
WHERE a.id = :answer_id AND a.idea_id = :idea_id AND i.id = a.idea_id AND i.county_key = :county_key
  AND a.published_at IS NULL
RETURNING a.id, a.state, a.body, a.institution
