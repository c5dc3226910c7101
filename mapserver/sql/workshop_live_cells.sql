-- Live, for the projected map: the workshop's first :counted pins (in order of arrival: whole
-- batches of k, services/disclosure.py) counted per hexagon cell of the run's grid (arithmetic
-- cell index as in the cube) and per district, with the sums of their record keys. What the
-- room sees of these is decided by disclosure.live_view.
WITH pins AS (
    SELECT p.district_id, p.record_key, CASE WHEN p.location_precision = 'exact' THEN cell.i END AS i,
           CASE WHEN p.location_precision = 'exact' THEN cell.j END AS j
    FROM (SELECT * FROM pin WHERE workshop_id = :workshop_id ORDER BY id LIMIT :counted) AS p
    CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                        FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
    {{hex_cell}}
)
SELECT 'cell' AS level, i, j, NULL::integer AS district_id, count(*) AS pin_count, sum(record_key) AS key_sum
FROM pins WHERE i IS NOT NULL
GROUP BY i, j
UNION ALL
SELECT 'district', NULL, NULL, district_id, count(*), sum(record_key) FROM pins GROUP BY district_id
