-- The ideas collected in one workshop, for its projection: the shown ones with their titles
-- (newest first; a room is the public, so a phone's idea appears only once moderated), and how
-- many still wait for moderation (a count, no text). Hidden ones are left out.
SELECT i.id, i.title, i.status, i.source, i.created_at, i.hotspot_id,
       count(*) FILTER (WHERE i.status = :initial_status) OVER () AS pending_count
FROM idea i
WHERE i.workshop_id = :workshop_id
  AND (i.status = ANY (CAST(:shown_statuses AS text[])) OR i.status = :initial_status)
ORDER BY i.created_at DESC, i.id DESC
