-- One moderation action on one or more comments, and its entry in the audit log, in one
-- statement. Each pin comes with a digest of the text the moderator saw: a comment its resident
-- changed in the meantime is left alone (it stays in the queue), so nothing unread gets published.
-- FOR UPDATE waits for a colleague acting on the same pin and then reads the row as they left
-- it, so "before" is always true. A pin already in the wanted state is left alone and not logged
-- again (a double click, or two moderators approving the same comment). A pin without a comment
-- (or with only blanks) is in no queue and is never moderated.
WITH seen AS (
    SELECT id, digest FROM unnest(CAST(:pin_ids AS bigint[]), CAST(:seen AS text[])) AS s(id, digest)
), target AS (
    SELECT p.id, p.status, p.comment
    FROM pin p
    JOIN seen s ON s.id = p.id
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    WHERE p.comment ~ '[^[:space:]]' AND md5(p.comment) = s.digest
    FOR UPDATE OF p
), changed AS (
    UPDATE pin p SET status = :status_after, comment = coalesce(CAST(:comment AS text), t.comment)
    FROM target t
    WHERE p.id = t.id
      AND (t.status, t.comment) IS DISTINCT FROM (CAST(:status_after AS text), coalesce(CAST(:comment AS text), t.comment))
    RETURNING p.id, t.status AS status_before, p.status AS status_after, t.comment AS comment_before,
              p.comment AS comment_after
)
INSERT INTO moderation_event (pin_id, actor_id, action, status_before, status_after, comment_before, comment_after)
SELECT id, :actor_id, :action, status_before, status_after, comment_before, comment_after FROM changed
RETURNING pin_id
