-- What a project's area is made of now (its municipality, Ortsteile and all its ideas, published or
-- not, as projects/insert.sql unites them) and what it was made of when the project was created
-- (the audit log's first record of it), so that the report can tell whether the area its baseline
-- was taken for is still the project's area.
SELECT p.municipality_ags, p.district_ids,
       ARRAY(SELECT pi.idea_id FROM project_idea pi WHERE pi.project_id = p.id ORDER BY pi.idea_id) AS idea_ids,
       (SELECT e.after FROM followup_event e
        WHERE e.subject = 'project' AND e.subject_id = p.id AND e.action = 'created'
        ORDER BY e.id LIMIT 1) AS created
FROM project p
WHERE p.county_key = :county_key AND p.id = :project_id
