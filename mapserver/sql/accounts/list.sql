SELECT id, name, roles, active, created_at FROM account ORDER BY name
