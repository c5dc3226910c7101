-- Filtered pin counts of a run per hexagon cell of one municipality (cells with pins only), by
-- category and dimension mask.
SELECT q.cell_id AS key, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum
FROM pin_cube q
WHERE q.run_id = :run_id AND q.municipality_ags = :ags AND q.cell_id IS NOT NULL AND {{pin_filter}}
GROUP BY q.cell_id, q.category, q.dimension_mask
