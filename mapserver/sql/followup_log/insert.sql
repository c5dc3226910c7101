-- One change of step two (an idea's moderation, an answer, a project, milestone, update or local
-- actor) in the audit log: who made it, and the record before and after as JSON.
INSERT INTO followup_event (county_key, actor_id, subject, subject_id, action, before, after)
VALUES (:county_key, :actor_id, :subject, :subject_id, :action, CAST(:before AS jsonb), CAST(:after AS jsonb))
RETURNING id, at
