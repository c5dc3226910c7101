-- Filtered pin counts of a run in the given cells, whatever municipality each lies in (a hotspot
-- across a border counts the pins on both sides), by category and dimension mask.
SELECT q.cell_id AS key, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum
FROM pin_cube q
WHERE q.run_id = :run_id AND q.cell_id = ANY(CAST(:cell_ids AS integer[])) AND {{pin_filter}}
GROUP BY q.cell_id, q.category, q.dimension_mask
