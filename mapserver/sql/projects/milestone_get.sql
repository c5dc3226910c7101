-- One milestone of one project of the county (what it was before a change, for the audit log).
SELECT ms.id, ms.project_id, ms.title, ms.body, ms.due_on, ms.done_on
FROM project_milestone ms JOIN project p ON p.id = ms.project_id
WHERE ms.id = :id AND ms.project_id = :project_id AND p.county_key = :county_key
