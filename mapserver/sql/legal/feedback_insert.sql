-- A visitor's message about a barrier, for the moderators (the accessibility statement's feedback
-- channel). The county it came to is kept with it, as in every table.
INSERT INTO accessibility_feedback (county_key, message, contact, page)
VALUES (:county_key, :message, :contact, :page)
RETURNING id, received_at
