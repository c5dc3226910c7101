-- The project's baseline (the area's published pin numbers when it started), stored once.
UPDATE project SET baseline = CAST(:baseline AS jsonb) WHERE id = :id
