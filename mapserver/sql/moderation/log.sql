-- The moderation audit log, newest first, filtered: one pin, one moderator, one action, a span
-- of days (in the county's time zone) and a text. `current_comment` is the pin's text now (the
-- service shows other texts to admins only); for others the text filter looks only at the
-- texts they may read (the current one), so a search cannot reveal a withheld original.
-- :limit NULL (the CSV export) reads all that match.
SELECT e.id, e.at, e.action, e.status_before, e.status_after, e.comment_before, e.comment_after,
       e.pin_id, a.name AS actor_name, m.name AS municipality_name, p.comment AS current_comment,
       count(*) OVER () AS total
FROM moderation_event e
JOIN account a ON a.id = e.actor_id
LEFT JOIN pin p ON p.id = e.pin_id
LEFT JOIN municipality m ON m.ags = p.municipality_ags
WHERE (CAST(:pin_id AS bigint) IS NULL OR e.pin_id = CAST(:pin_id AS bigint))
  AND (CAST(:actor AS text) IS NULL OR a.name = CAST(:actor AS text))
  AND (CAST(:action AS text) IS NULL OR e.action = CAST(:action AS text))
  AND (CAST(:day_from AS date) IS NULL OR e.at >= CAST(:day_from AS date) AT TIME ZONE CAST(:time_zone AS text))
  AND (CAST(:day_to AS date) IS NULL OR e.at < (CAST(:day_to AS date) + 1) AT TIME ZONE CAST(:time_zone AS text))
  AND (CAST(:pattern AS text) IS NULL
       OR (CAST(:all_texts AS boolean) AND (e.comment_before ILIKE CAST(:pattern AS text) ESCAPE '\'
                                            OR e.comment_after ILIKE CAST(:pattern AS text) ESCAPE '\'))
       OR p.comment ILIKE CAST(:pattern AS text) ESCAPE '\'
       OR a.name ILIKE CAST(:pattern AS text) ESCAPE '\')
ORDER BY e.at DESC, e.id DESC
LIMIT :limit OFFSET :offset
