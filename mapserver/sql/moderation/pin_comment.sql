-- One pin's comment as it is now, locked until the moderation action is written (span
-- redaction: the new text is built from this one).
SELECT p.id, p.comment
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
WHERE p.id = :pin_id
FOR UPDATE OF p
