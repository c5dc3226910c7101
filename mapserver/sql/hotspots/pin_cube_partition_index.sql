-- The run's cube partition, once filled, gets its index (faster than keeping one while filling).
SELECT index_pin_cube_partition(:run_id)
