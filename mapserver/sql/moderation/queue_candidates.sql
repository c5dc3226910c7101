-- Every comment that matches the queue's filters (status, municipality, workshop, text), with
-- only what ordering needs: the service flags personal data in the texts, puts the flagged
-- first (then oldest first) and cuts out one page (moderation/queue then reads its details).
-- A pin without a comment (or with only blanks and line breaks) never enters the queue.
SELECT p.id, p.comment, p.created_at
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
WHERE p.comment ~ '[^[:space:]]'
  AND (CAST(:status AS text) IS NULL OR p.status = CAST(:status AS text))
  AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = CAST(:ags AS text))
  AND (CAST(:workshop_id AS integer) IS NULL OR p.workshop_id = CAST(:workshop_id AS integer))
  AND (CAST(:pattern AS text) IS NULL OR p.comment ILIKE CAST(:pattern AS text) ESCAPE '\')
ORDER BY p.created_at, p.id
