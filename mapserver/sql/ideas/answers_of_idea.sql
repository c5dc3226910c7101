-- An idea's answers as a dated timeline, oldest first: the published ones for the public (and the
-- feed), with the drafts too for coordinators (:published_only false), drafts last.
-- Who drafted an answer (a staff name) is read only with the drafts, for coordinators.
SELECT a.id, a.idea_id, a.state, a.body, a.institution,
       CASE WHEN NOT :published_only THEN ac.name END AS drafted_by_name,
       a.drafted_at, a.published_at
FROM idea_answer a
JOIN idea i ON i.id = a.idea_id AND i.county_key = :county_key
LEFT JOIN account ac ON ac.id = a.drafted_by
WHERE a.idea_id = ANY (CAST(:idea_ids AS integer[])) AND (NOT :published_only OR a.published_at IS NOT NULL)
ORDER BY a.idea_id, a.published_at ASC NULLS LAST, a.drafted_at, a.id
