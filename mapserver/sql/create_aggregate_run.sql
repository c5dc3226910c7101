-- Start a run; it is visible to pages only once finished_at is set (in the same transaction).
INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins, permutations, last_pin_id, pin_count)
SELECT :county_key, :cell_size_m, :dbscan_eps_m, :dbscan_min_pins, :permutations,
       coalesce(max(p.id), 0), count(*)
FROM pin p JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
RETURNING id, last_pin_id, pin_count
