-- Release the county's latest finished run to the public (released_at), if it is not public yet
-- and either the county has no public run, or the county has at least :release_min_new_pins more
-- pins than the latest public run and that one is at least :release_min_hours old (two public
-- snapshots never differ by fewer pins; deleting a pin and posting it again adds none; and a
-- release a day at most gives few fresh draws of noise). Run after every refresh and by
-- `hotspots watch` on every look, so a run held back by the hours is released once they pass.
-- Returns the run released, if any.
WITH latest AS (
    SELECT id, pin_count, released_at FROM aggregate_run
    WHERE county_key = :county_key AND finished_at IS NOT NULL
    ORDER BY finished_at DESC LIMIT 1
), previous AS (
    SELECT pin_count, released_at FROM aggregate_run
    WHERE county_key = :county_key AND released_at IS NOT NULL
    ORDER BY released_at DESC LIMIT 1
)
UPDATE aggregate_run r SET released_at = clock_timestamp()
FROM latest
WHERE r.id = latest.id AND latest.released_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM previous)
       OR (latest.pin_count - (SELECT pin_count FROM previous) >= :release_min_new_pins
           AND clock_timestamp() - (SELECT released_at FROM previous) >= :release_min_hours * INTERVAL '1 hour'))
RETURNING r.id
