-- The account a sign-in attempt is for, locked until the attempt is counted: parallel attempts
-- on one account take turns, so none can slip past a lock another one is setting.
SELECT id, name, password_hash, roles, active, failed_logins, session_version
FROM account WHERE lower(name) = lower(:name)
FOR UPDATE
