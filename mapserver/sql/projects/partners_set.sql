-- A project's partners become exactly the actors of :actor_ids with the roles of :roles (same
-- order; NULL for none) in one statement: the others removed, the rest inserted or their role
-- changed.
WITH removed AS (
    DELETE FROM project_partner WHERE project_id = :project_id AND NOT actor_id = ANY (CAST(:actor_ids AS integer[]))
)
INSERT INTO project_partner (project_id, actor_id, role)
SELECT :project_id, chosen.actor_id, chosen.role
FROM unnest(CAST(:actor_ids AS integer[]), CAST(:roles AS text[])) AS chosen (actor_id, role)
ON CONFLICT (project_id, actor_id) DO UPDATE SET role = EXCLUDED.role
