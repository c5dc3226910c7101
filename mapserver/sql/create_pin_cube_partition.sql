-- The new run's cube partition, empty and attached (migration 0008); insert_pin_cube fills it.
SELECT create_pin_cube_partition(:run_id)
