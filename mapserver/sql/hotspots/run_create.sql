-- Start a run; it is visible to pages only once finished_at is set (in the same transaction).
-- It covers the pins up to the newest pin id now (of any county: the county's own pins are
-- those of its municipalities, counted by the refresh's read and stored by
-- finish_aggregate_run; counting them here cost a pass over the pins).
INSERT INTO aggregate_run (county_key, cell_size_m, dbscan_eps_m, dbscan_min_pins, replications, max_radius_m,
                           baseline, boundaries_digest, last_pin_id, pin_count)
SELECT CAST(:county_key AS text), :cell_size_m, :dbscan_eps_m, :dbscan_min_pins, :replications, :max_radius_m,
       CASE WHEN EXISTS (SELECT 1 FROM population_cell WHERE county_key = CAST(:county_key AS text)) THEN 'population'
            ELSE 'uniform' END,
       (SELECT md5(string_agg(b.ags || ':' || encode(ST_AsEWKB(b.geom), 'hex'), ',' ORDER BY b.ags))
          FROM municipality b WHERE b.county_key = CAST(:county_key AS text)),
       (SELECT coalesce(max(p.id), 0) FROM pin p), 0
RETURNING id, last_pin_id, baseline, boundaries_digest
