-- A staff account's e-mail (where project reminders go), by its name as typed (names are unique
-- case-insensitively, as accounts/by_name finds them).
UPDATE account SET email = :email WHERE lower(name) = lower(:name) RETURNING id
