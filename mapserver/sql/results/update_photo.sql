-- The photo of one published update of one project of the county (the id pair must match, so no
-- photo is reachable under another project's address); updates dated in the future are not out yet.
SELECT u.photo
FROM project_update u
JOIN project p ON p.id = u.project_id
WHERE p.county_key = :county_key AND u.project_id = :project_id AND u.id = :update_id
  AND u.photo IS NOT NULL AND u.published_at <= now()
