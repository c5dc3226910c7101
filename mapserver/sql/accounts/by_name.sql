SELECT id, name, password_hash, roles, active FROM account WHERE lower(name) = lower(:name)
