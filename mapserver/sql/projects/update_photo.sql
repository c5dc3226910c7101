-- An update's photo (JPEG, re-encoded without metadata when it was stored), of the county.
SELECT u.photo, u.photo_caption, u.published_at
FROM project_update u JOIN project p ON p.id = u.project_id
WHERE u.id = :id AND p.county_key = :county_key AND u.photo IS NOT NULL
