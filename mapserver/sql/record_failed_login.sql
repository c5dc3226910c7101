-- One more failed sign-in; the account locks for :lock_minutes once :lock_after failures follow
-- each other. A lock that has run out starts the count again.
UPDATE account SET
    failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_logins + 1 END,
    locked_until = CASE
        WHEN locked_until IS NOT NULL AND locked_until <= now() THEN NULL
        WHEN failed_logins + 1 >= :lock_after THEN now() + make_interval(mins => :lock_minutes)
        ELSE locked_until END
WHERE id = :id
RETURNING locked_until > now() AS locked, locked_until
