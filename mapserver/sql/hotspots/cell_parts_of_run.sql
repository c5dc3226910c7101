-- The run's cell parts (a hexagon cell's part in each municipality it touches), by id.
SELECT id, municipality_ags, i, j, area_share
FROM hex_cell
WHERE run_id = :run_id
ORDER BY id
