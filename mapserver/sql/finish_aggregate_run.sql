UPDATE aggregate_run SET finished_at = clock_timestamp() WHERE id = :run_id
RETURNING finished_at
