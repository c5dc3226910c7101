-- One device's support of a published idea, and the idea's count kept in the same statement: the
-- primary key (idea, device hash) makes a second support from the same device insert nothing, so
-- the count rises only by what was inserted. No row: the idea is not published (or unknown).
WITH target AS (
    SELECT id FROM idea WHERE id = :idea_id AND county_key = :county_key AND status = ANY (CAST(:shown_statuses AS text[]))
), inserted AS (
    INSERT INTO idea_support (idea_id, device_hash)
    SELECT id, :device_hash FROM target
    ON CONFLICT DO NOTHING
    RETURNING idea_id
)
UPDATE idea SET support_count = support_count + (SELECT count(*) FROM inserted)
WHERE id = (SELECT id FROM target)
RETURNING support_count, (SELECT count(*) FROM inserted) AS added
