-- A project removed with its links, partners, milestones and updates (ON DELETE CASCADE).
DELETE FROM project WHERE id = :id AND county_key = :county_key RETURNING id
