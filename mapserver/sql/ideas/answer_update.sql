-- A draft changed (and perhaps published); a published answer is never changed (a new one follows):
-- no row then.
UPDATE idea_answer a SET state = :state, body = :body, institution = :institution,
       published_at = CASE WHEN :publish THEN now() END
FROM idea i
WHERE a.id = :answer_id AND a.idea_id = :idea_id AND i.id = a.idea_id AND i.county_key = :county_key
  AND a.published_at IS NULL
RETURNING a.id, a.idea_id, a.state, a.body, a.institution, a.drafted_at, a.published_at
