SELECT id, name, roles, active, session_version FROM account WHERE id = :id
