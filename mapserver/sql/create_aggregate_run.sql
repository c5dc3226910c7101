-- Start a run; it is visible to pages only once finished_at is set (in the same transaction).
INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins, replications, max_radius_m,
                           baseline, boundaries_digest, last_pin_id, pin_count)
SELECT :county_key, :cell_size_m, :dbscan_eps_m, :dbscan_min_pins, :replications, :max_radius_m,
       CASE WHEN EXISTS (SELECT 1 FROM population_cell WHERE county_key = :county_key) THEN 'population'
            ELSE 'uniform' END,
       (SELECT md5(string_agg(b.ags || ':' || encode(ST_AsEWKB(b.geom), 'hex'), ',' ORDER BY b.ags))
          FROM municipality b WHERE b.county_key = :county_key),
       coalesce(max(p.id), 0), count(*)
FROM pin p JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
RETURNING id, last_pin_id, pin_count, baseline, boundaries_digest
