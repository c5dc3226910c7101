-- A run becomes visible to pages, with the number of the county's pins it covers and the sum of
-- their record keys (the cell key method's, services/disclosure.py). It is also
-- released to the public (released_at) if it is the county's first public run or if at least
-- :release_min_new_pins of the county's pins are newer than the latest public run's last pin
-- (services/disclosure.py: two public snapshots never differ by fewer pins).
WITH previous AS (
    SELECT p.last_pin_id FROM aggregate_run p
    WHERE p.county_key = (SELECT county_key FROM aggregate_run WHERE id = :run_id)
      AND p.released_at IS NOT NULL AND p.id <> :run_id
    ORDER BY p.released_at DESC LIMIT 1
), new_pins AS (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM pin p
        JOIN municipality m ON m.ags = p.municipality_ags
        JOIN aggregate_run r ON r.id = :run_id AND m.county_key = r.county_key
        WHERE p.id > (SELECT last_pin_id FROM previous) AND p.id <= r.last_pin_id
        LIMIT :release_min_new_pins) AS enough
)
UPDATE aggregate_run SET finished_at = clock_timestamp(), pin_count = :pin_count, key_sum = :key_sum,
       released_at = CASE WHEN NOT EXISTS (SELECT 1 FROM previous)
                               OR (SELECT n FROM new_pins) >= :release_min_new_pins
                          THEN clock_timestamp() END
WHERE id = :run_id
RETURNING finished_at, released_at
