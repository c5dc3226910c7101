-- Once the pins are replaced, every stored run of the county describes pins that are gone (with
-- --force: real pins, whose counts must not outlive them in a cube). All go (the cascade takes
-- cells, statistics and clusters, this statement the cubes); the refresh after the seeding
-- makes a new run.
WITH removed AS (
    DELETE FROM aggregate_run WHERE county_key = :county_key RETURNING id
), cubes AS (
    DELETE FROM pin_cube WHERE run_id IN (SELECT id FROM removed)
)
SELECT id FROM removed
