SELECT id, name, roles, active FROM account WHERE id = :id
