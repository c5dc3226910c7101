-- Every cell of a run with its pin count per category (one row per cell and category; a cell
-- without pins comes once with category NULL and zero): the scan needs the empty cells as much
-- as the full ones, and each cell's area share for the baseline. The cube is summed first, so
-- the join is one hash join, not a loop per cell.
WITH counts AS (
    SELECT cell_id, category, sum(pin_count) AS pin_count
    FROM pin_cube WHERE run_id = :run_id AND cell_id IS NOT NULL
    GROUP BY cell_id, category
)
SELECT c.id, c.municipality_ags, c.i, c.j, c.area_share, counts.category,
       coalesce(counts.pin_count, 0) AS pin_count
FROM hex_cell c
LEFT JOIN counts ON counts.cell_id = c.id
WHERE c.run_id = :run_id
ORDER BY c.id
