-- A new staff account; the name is unique (case-insensitively checked by the caller).
INSERT INTO account (name, password_hash, roles) VALUES (:name, :password_hash, CAST(:roles AS text[]))
RETURNING id
