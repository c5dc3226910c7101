-- One more failed sign-in, counted for the administration; it locks nothing
-- (services/accounts.authenticate says why).
UPDATE account SET failed_logins = failed_logins + 1, locked_until = NULL WHERE id = :id
