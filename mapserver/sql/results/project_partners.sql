-- A project's partners: local actors, whose name, kind and contact are public by definition
-- (local_actor.contact), with their role in this project.
SELECT a.id, a.name, a.kind, a.contact, pp.role
FROM project_partner pp
JOIN local_actor a ON a.id = pp.actor_id
WHERE pp.project_id = :project_id
ORDER BY a.name, a.id
