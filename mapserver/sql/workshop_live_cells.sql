-- Live, for the projected map: the workshop's pins counted per hexagon cell of the run's grid
-- (arithmetic cell index as in the cube) and per district. Only counts of at least k leave the
-- database: a room is the public.
WITH pins AS (
    SELECT p.district_id, CASE WHEN p.location_precision = 'exact' THEN cell.i END AS i,
           CASE WHEN p.location_precision = 'exact' THEN cell.j END AS j
    FROM pin p
    CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                        FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
    {{hex_cell}}
    WHERE p.workshop_id = :workshop_id
)
SELECT 'cell' AS level, i, j, NULL::integer AS district_id, count(*) AS pin_count FROM pins WHERE i IS NOT NULL
GROUP BY i, j
HAVING count(*) >= :k
UNION ALL
SELECT 'district', NULL, NULL, district_id, count(*) FROM pins GROUP BY district_id HAVING count(*) >= :k
