-- The project's baseline (the published pin numbers of its area when it started): stored when it
-- is made, anew while it is still planned and its area changes, or marked when its area changed
-- later (services/projects.change_project).
UPDATE project SET baseline = CAST(:baseline AS jsonb) WHERE id = :id
