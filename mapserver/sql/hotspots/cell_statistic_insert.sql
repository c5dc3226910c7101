-- Every cell part of a run for every variant (about 23,000 rows in the county) in one statement:
-- the columns come as arrays, which is a hundred times faster than a row-by-row executemany.
INSERT INTO cell_statistic (run_id, cell_id, variant, pin_count, expected_pins, hotspot_class, confidence, hotspot_id)
SELECT :run_id, cell_id, variant, pin_count, expected_pins, hotspot_class, confidence, hotspot_id
FROM unnest(CAST(:cell_ids AS integer[]), CAST(:variants AS text[]), CAST(:pin_counts AS integer[]),
            CAST(:expected_pins AS double precision[]), CAST(:hotspot_classes AS text[]),
            CAST(:confidences AS integer[]), CAST(:hotspot_ids AS integer[]))
     AS s(cell_id, variant, pin_count, expected_pins, hotspot_class, confidence, hotspot_id)
