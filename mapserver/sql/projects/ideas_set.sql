-- A project's ideas become exactly :idea_ids in one statement: the others unlinked, new ones
-- linked (ON CONFLICT: a link that stays is left as it is).
WITH unlinked AS (
    DELETE FROM project_idea WHERE project_id = :project_id AND NOT idea_id = ANY (CAST(:idea_ids AS integer[]))
)
INSERT INTO project_idea (project_id, idea_id)
SELECT :project_id, unnest(CAST(:idea_ids AS integer[]))
ON CONFLICT DO NOTHING
