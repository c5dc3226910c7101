SELECT id, name, password_hash, roles, active, failed_logins, locked_until, locked_until > now() AS locked
FROM account WHERE lower(name) = lower(:name)
