-- One answer of an idea of the county (for the log's "before" and the edit form).
SELECT a.id, a.idea_id, a.state, a.body, a.institution, a.drafted_at, a.published_at
FROM idea_answer a JOIN idea i ON i.id = a.idea_id AND i.county_key = :county_key
WHERE a.id = :answer_id AND a.idea_id = :idea_id
