-- The room's live snapshot of a workshop and how many pins it has now, the row locked so that
-- two polls do not both take a new snapshot (NO KEY: pins of the workshop, whose foreign key
-- takes a KEY SHARE lock, are not held up by a poll).
SELECT w.live_pin_count, w.live_view, (SELECT count(*) FROM pin p WHERE p.workshop_id = w.id) AS pin_count
FROM workshop w WHERE w.id = :workshop_id
FOR NO KEY UPDATE
