-- The county's feedback on accessibility, newest first, one page at a time.
SELECT id, message, contact, page, received_at, count(*) OVER () AS total
FROM accessibility_feedback
WHERE county_key = :county_key
ORDER BY received_at DESC, id DESC
LIMIT :limit OFFSET :offset
