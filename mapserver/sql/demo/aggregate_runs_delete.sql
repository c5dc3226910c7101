-- Once the pins are replaced, every stored run of the county describes pins that are gone (with
-- --force: real pins, whose counts must not outlive them in a cube). All go (the cascade takes
-- cells, statistics and clusters, drop_orphan_pin_cubes after this the cubes); the refresh
-- after the seeding makes a new run.
DELETE FROM aggregate_run WHERE county_key = :county_key RETURNING id
