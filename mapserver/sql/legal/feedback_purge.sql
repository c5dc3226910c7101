-- Feedback on accessibility older than its retention period is deleted whole (message and the
-- optional contact); in a dry run only counted.
WITH due AS (
    SELECT id FROM accessibility_feedback WHERE county_key = :county_key AND received_at < :received_before
), deleted AS (
    DELETE FROM accessibility_feedback f USING due WHERE f.id = due.id AND NOT :dry_run RETURNING f.id
)
SELECT (SELECT count(*) FROM due) AS due, (SELECT count(*) FROM deleted) AS deleted
