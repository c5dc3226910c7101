-- Inhabitants of the county's population grid per cell part: per municipality (the one that
-- covers the grid point) and hexagon cell (i, j) of the run's cell size. Counting by where
-- people live, not by area, keeps a village on a border, or at the county's edge, whole. The
-- cell comes by the same arithmetic as the pins' (fragment hex_cell), so a grid point and a pin
-- at the same place fall into the same cell.
SELECT m.ags, cell.i, cell.j, sum(p.inhabitants) AS inhabitants
FROM population_cell p
JOIN municipality m ON m.county_key = p.county_key AND ST_Covers(m.geom, p.geom)
CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                    FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
{{hex_cell}}
WHERE p.county_key = :county_key
GROUP BY m.ags, cell.i, cell.j
