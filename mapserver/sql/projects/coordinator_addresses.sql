-- Where reminders go when a project has no responsible account with an e-mail: every active
-- coordinator with an e-mail (admins only if they are coordinators too).
SELECT id, name, email FROM account
WHERE active AND 'coordinator' = ANY (roles) AND email IS NOT NULL AND btrim(email) <> ''
ORDER BY name
