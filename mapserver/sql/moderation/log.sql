-- The moderation audit log, newest first; optionally of one pin. `current_comment` is the pin's
-- text now (the service shows other texts to admins only).
SELECT e.id, e.at, e.action, e.status_before, e.status_after, e.comment_before, e.comment_after,
       e.pin_id, a.name AS actor_name, m.name AS municipality_name, p.comment AS current_comment,
       count(*) OVER () AS total
FROM moderation_event e
JOIN account a ON a.id = e.actor_id
LEFT JOIN pin p ON p.id = e.pin_id
LEFT JOIN municipality m ON m.ags = p.municipality_ags
WHERE (CAST(:pin_id AS bigint) IS NULL OR e.pin_id = CAST(:pin_id AS bigint))
ORDER BY e.at DESC, e.id DESC
LIMIT :limit OFFSET :offset
