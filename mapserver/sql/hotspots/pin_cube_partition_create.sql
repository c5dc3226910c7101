-- The new run's cube partition, empty and attached (migration 0008); the refresh copies the cube in.
SELECT create_pin_cube_partition(:run_id)
