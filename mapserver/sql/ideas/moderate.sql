-- One idea moderated: its status (and, redacted, its title and text), only if it still waits and
-- is the text the moderator saw (md5 of title and text), so nothing unseen is published. The row
-- before is returned for the audit log.
UPDATE idea i SET status = :status_after, title = COALESCE(:title, i.title), body = COALESCE(:body, i.body)
FROM idea old
WHERE i.id = :idea_id AND old.id = i.id AND i.county_key = :county_key AND i.status = :initial_status
  AND md5(i.title || E'\n' || i.body) = :seen
RETURNING old.title AS title_before, old.body AS body_before, old.status AS status_before,
          i.title, i.body, i.status
