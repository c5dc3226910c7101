-- The account a sign-in attempt is for (no row lock: nothing is decided from the failure count,
-- so parallel guesses need not queue a real sign-in behind them).
SELECT id, name, password_hash, roles, active, failed_logins, session_version
FROM account WHERE lower(name) = lower(:name)
