-- An existing account gets a new password and exactly the given roles, and is usable again
-- (active, failed sign-ins forgotten, lock lifted): `demo seed` hands out the demo account anew
-- on every run. Names are matched case-insensitively, as on sign-in. Its sessions end (a new
-- password revokes every cookie signed before).
UPDATE account
SET password_hash = :password_hash, roles = CAST(:roles AS text[]), active = true, failed_logins = 0,
    locked_until = NULL, session_version = session_version + 1
WHERE lower(name) = lower(:name)
RETURNING id
