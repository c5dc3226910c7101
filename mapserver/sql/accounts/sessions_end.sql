-- Every session of an account ends (sign-out): cookies carrying the old version open nothing.
UPDATE account SET session_version = session_version + 1 WHERE id = :id
