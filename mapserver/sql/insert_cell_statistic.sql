INSERT INTO cell_statistic (run_id, cell_id, variant, pin_count, gi_z, gi_p, hotspot_class, confidence)
VALUES (:run_id, :cell_id, :variant, :pin_count, :gi_z, :gi_p, :hotspot_class, :confidence)
