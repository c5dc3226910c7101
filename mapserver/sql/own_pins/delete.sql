-- A resident deletes their own pins (one, or all when :client_id is null). The moderation log
-- keeps that an action happened, but not the text of a comment its author erased.
WITH doomed AS (
    SELECT id FROM pin
    WHERE edit_key_hash = :edit_key_hash AND (CAST(:client_id AS uuid) IS NULL OR client_id = CAST(:client_id AS uuid))
    FOR UPDATE
), scrubbed AS (
    UPDATE moderation_event e SET comment_before = NULL, comment_after = NULL
    FROM doomed d WHERE e.pin_id = d.id
)
DELETE FROM pin p USING doomed d WHERE p.id = d.id
RETURNING p.client_id
