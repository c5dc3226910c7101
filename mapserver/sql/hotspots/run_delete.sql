-- A run that failed half-way (cells, statistics and clusters go by cascade, its cube partition
-- by drop_orphan_pin_cubes after this).
DELETE FROM aggregate_run WHERE id = :run_id
