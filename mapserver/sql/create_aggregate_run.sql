-- Start a run; it is visible to pages only once finished_at is set (in the same transaction).
INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins, replications, max_radius_m,
                           baseline, last_pin_id, pin_count)
SELECT :county_key, :cell_size_m, :dbscan_eps_m, :dbscan_min_pins, :replications, :max_radius_m,
       CASE WHEN EXISTS (SELECT 1 FROM population_cell WHERE county_key = :county_key) THEN 'population'
            ELSE 'uniform' END,
       coalesce(max(p.id), 0), count(*)
FROM pin p JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
RETURNING id, last_pin_id, pin_count, baseline
