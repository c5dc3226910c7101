-- A project's public updates, newest first, without the photo's bytes (only whether there is one
-- and its size): a page loads each photo by its own address.
SELECT id, project_id, body, photo IS NOT NULL AS has_photo, octet_length(photo) AS photo_bytes, photo_caption,
       created_by, published_at
FROM project_update
WHERE project_id = :project_id
ORDER BY published_at DESC, id DESC
