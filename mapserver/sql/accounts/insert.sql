-- A new staff account; the name is unique (case-insensitively checked by the caller).
-- The e-mail (optional) is where `glaswaende projects remind` writes.
INSERT INTO account (name, password_hash, roles, email) VALUES (:name, :password_hash, CAST(:roles AS text[]), :email)
RETURNING id
