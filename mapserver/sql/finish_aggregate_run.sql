-- A run becomes visible to pages, with the number of the county's pins it covers and the sum of
-- their record keys (the cell key method's, services/disclosure.py). It is also released to the
-- public (released_at) if it is the county's first public run, or if the county has at least
-- :release_min_new_pins more pins than the latest public run and that run is at least
-- :release_min_hours old (two public snapshots never differ by fewer pins; deleting a pin and
-- posting it again adds none; and a snapshot a day at most gives few fresh draws of noise).
WITH previous AS (
    SELECT p.pin_count, p.released_at FROM aggregate_run p
    WHERE p.county_key = (SELECT county_key FROM aggregate_run WHERE id = :run_id)
      AND p.released_at IS NOT NULL AND p.id <> :run_id
    ORDER BY p.released_at DESC LIMIT 1
)
UPDATE aggregate_run SET finished_at = clock_timestamp(), pin_count = :pin_count, key_sum = :key_sum,
       released_at = CASE WHEN NOT EXISTS (SELECT 1 FROM previous)
                               OR (:pin_count - (SELECT pin_count FROM previous) >= :release_min_new_pins
                                   AND clock_timestamp() - (SELECT released_at FROM previous)
                                       >= :release_min_hours * INTERVAL '1 hour')
                          THEN clock_timestamp() END
WHERE id = :run_id
RETURNING finished_at, released_at
