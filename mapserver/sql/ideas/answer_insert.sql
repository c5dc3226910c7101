-- A new answer, drafted (published_at NULL) or published at once; the CHECK constraints repeat
-- what answers.py checks (a reason for nicht_umsetzbar, an institution).
INSERT INTO idea_answer (idea_id, state, body, institution, drafted_by, published_at)
SELECT i.id, :state, :body, :institution, :drafted_by, CASE WHEN :publish THEN now() END
FROM idea i WHERE i.id = :idea_id AND i.county_key = :county_key
RETURNING id, idea_id, state, body, institution, drafted_at, published_at
