-- A run that failed half-way (cells, statistics and clusters go by cascade, the cube here).
WITH removed AS (
    DELETE FROM aggregate_run WHERE id = :run_id RETURNING id
)
DELETE FROM pin_cube WHERE run_id IN (SELECT id FROM removed)
