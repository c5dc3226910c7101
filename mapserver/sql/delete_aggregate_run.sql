-- A run that failed half-way (cells, cube, statistics and clusters go with it).
DELETE FROM aggregate_run WHERE id = :run_id
