-- A run becomes visible to pages, with the number of the county's pins it covers and the sum of
-- their record keys (the cell key method's, services/disclosure.py). Whether the public sees it
-- is release_run_if_due's decision.
UPDATE aggregate_run SET finished_at = clock_timestamp(), pin_count = :pin_count, key_sum = :key_sum
WHERE id = :run_id
RETURNING finished_at
