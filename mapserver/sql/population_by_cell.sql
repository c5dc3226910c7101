-- Inhabitants of the county's population grid per hexagon cell (i, j) of the run's cell size,
-- for the scan's baseline. The cell comes by the same arithmetic as the pins' (fragment
-- hex_cell), so a grid point and a pin at the same place fall into the same cell.
SELECT cell.i, cell.j, sum(p.inhabitants) AS inhabitants
FROM population_cell p
CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                    FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
{{hex_cell}}
WHERE p.county_key = :county_key
GROUP BY cell.i, cell.j
