-- The year clock: every project, with what its accompaniment needs today (:today, the county's
-- day): the last update (or none), overdue milestones (due before today, not done) and the next
-- milestone due, progress by the one rule, and who is responsible (with e-mail, for reminders).
SELECT p.id, p.title, p.status, p.municipality_ags, mu.name AS municipality_name, p.start_on, p.accompaniment_end,
       {{project_progress}} AS progress, p.responsible_id, r.name AS responsible_name, r.email AS responsible_email,
       (SELECT max(u.published_at) FROM project_update u WHERE u.project_id = p.id) AS last_update_at,
       (SELECT count(*) FROM project_milestone ms
        WHERE ms.project_id = p.id AND ms.done_on IS NULL AND ms.due_on < :today) AS overdue_milestones,
       COALESCE((SELECT array_agg(ms.title ORDER BY ms.due_on, ms.id) FROM project_milestone ms
                 WHERE ms.project_id = p.id AND ms.done_on IS NULL AND ms.due_on < :today),
                ARRAY[]::text[]) AS overdue_titles,
       (SELECT min(ms.due_on) FROM project_milestone ms
        WHERE ms.project_id = p.id AND ms.done_on IS NULL AND ms.due_on >= :today) AS next_due_on
FROM project p
JOIN municipality mu ON mu.ags = p.municipality_ags
LEFT JOIN account r ON r.id = p.responsible_id AND r.active
WHERE p.county_key = :county_key
ORDER BY p.accompaniment_end, p.id
