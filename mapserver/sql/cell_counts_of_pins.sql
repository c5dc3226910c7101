-- Every cell part of a run with its pins per category, counted from the pins themselves (one
-- row per part and category; a part without pins comes once with category NULL and zero): the
-- scan needs the empty cells as much as the full ones, and each part's area share for the
-- baseline. Read straight from the pins (the cube's own cell arithmetic, fragment hex_cell, and
-- the same last pin), so the scan runs while the cube and DBSCAN are still being built. Only
-- pins set on the map: a district centre would be a false cluster.
WITH pins AS (
    SELECT p.municipality_ags, p.category, cell.i, cell.j
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                        FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
    {{hex_cell}}
    WHERE p.id <= :last_pin_id AND p.location_precision = 'exact'
), counts AS (
    SELECT municipality_ags, i, j, category, count(*) AS pin_count FROM pins GROUP BY 1, 2, 3, 4
)
SELECT c.id, c.municipality_ags, c.i, c.j, c.area_share, counts.category, coalesce(counts.pin_count, 0) AS pin_count
FROM hex_cell c
LEFT JOIN counts ON counts.municipality_ags = c.municipality_ags AND counts.i = c.i AND counts.j = c.j
WHERE c.run_id = :run_id
ORDER BY c.id
