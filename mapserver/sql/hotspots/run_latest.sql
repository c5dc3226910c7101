-- The run pages and APIs read: the latest finished one of the county (signed-in staff), or
-- with :released_only the latest one released to the public (services/disclosure.py).
SELECT id, started_at, finished_at, released_at, pin_count, key_sum, last_pin_id, cell_size_m, dbscan_eps_m, dbscan_min_pins,
       replications, max_radius_m, baseline
FROM aggregate_run
WHERE county_key = :county_key AND finished_at IS NOT NULL AND (NOT :released_only OR released_at IS NOT NULL)
ORDER BY finished_at DESC LIMIT 1
