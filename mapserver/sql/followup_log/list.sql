-- The county's step-two audit log, newest first, optionally for one subject (e.g. one project),
-- with the staff account's name.
SELECT e.id, e.at, e.subject, e.subject_id, e.action, e.before, e.after, a.name AS actor_name
FROM followup_event e
LEFT JOIN account a ON a.id = e.actor_id
WHERE e.county_key = :county_key
  AND (CAST(:subject AS text) IS NULL OR e.subject = :subject)
  AND (CAST(:subject_id AS integer) IS NULL OR e.subject_id = :subject_id)
ORDER BY e.at DESC, e.id DESC
LIMIT :limit OFFSET :offset
