-- A project's updated_at moves with every change of its milestones and updates, so lists and
-- feeds can order by the latest change.
UPDATE project SET updated_at = now() WHERE id = :id
