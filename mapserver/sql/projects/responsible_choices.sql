-- The staff a project may be given to: active coordinators and admins, by name.
SELECT id, name, email FROM account
WHERE active AND roles && ARRAY['coordinator', 'admin']::text[]
ORDER BY name
