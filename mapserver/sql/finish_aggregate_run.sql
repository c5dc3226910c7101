-- A run becomes visible to pages, with the number of the county's pins it covers.
UPDATE aggregate_run SET finished_at = clock_timestamp(), pin_count = :pin_count WHERE id = :run_id
RETURNING finished_at
