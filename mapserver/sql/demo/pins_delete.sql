-- Clear the county's demo pins before a new seeding, and with --force (:include_real) its real
-- pins too. Demo pins take their invented audit entries with them; a real pin's entries stay (who
-- moderated, and when) but lose the comment's text, as when residents delete their own pins
-- (own_pins/delete.sql). Demo and real pins are counted apart, for the report.
WITH demo AS (
    SELECT DISTINCT unnest(CAST(:demo_ids AS uuid[])) AS client_id
), doomed AS (
    SELECT p.id, d.client_id IS NOT NULL AS is_demo
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    LEFT JOIN demo d ON d.client_id = p.client_id
    WHERE d.client_id IS NOT NULL OR CAST(:include_real AS boolean)
    FOR UPDATE OF p
), forgotten AS (
    DELETE FROM moderation_event e USING doomed x WHERE e.pin_id = x.id AND x.is_demo
), scrubbed AS (
    UPDATE moderation_event e SET comment_before = NULL, comment_after = NULL
    FROM doomed x WHERE e.pin_id = x.id AND NOT x.is_demo
), removed AS (
    DELETE FROM pin p USING doomed x WHERE p.id = x.id
    RETURNING x.is_demo
)
SELECT count(*) FILTER (WHERE is_demo) AS demo_pins, count(*) FILTER (WHERE NOT is_demo) AS real_pins
FROM removed
