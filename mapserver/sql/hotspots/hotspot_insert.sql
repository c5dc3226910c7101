-- One significant window of the scan statistic with its cell parts. Its outline is the union
-- of its cells' hexagons (in every municipality it reaches), its centre the centre of its
-- centre cell.
INSERT INTO hotspot (run_id, id, variant, hotspot_class, rank, pin_count, expected_pins, log_likelihood_ratio,
                     p_value, confidence, radius_m, cell_ids, centre, geom)
SELECT :run_id, :id, :variant, :hotspot_class, :rank, :pin_count, :expected_pins, :log_likelihood_ratio,
       :p_value, :confidence, :radius_m, CAST(:cell_ids AS integer[]),
       (SELECT c.centre FROM hex_cell c WHERE c.run_id = :run_id AND c.id = :centre_cell_id),
       (SELECT ST_Multi(ST_Union(c.geom)) FROM hex_cell c WHERE c.run_id = :run_id AND c.id = ANY(CAST(:cell_ids AS integer[])))
