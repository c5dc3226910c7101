-- Live, for the projected map: the workshop's pins counted per hexagon cell of the run's grid
-- (arithmetic cell index as in the cube) and per district, with the sums of their record keys.
-- What the room sees of these is decided by disclosure.live_view, and only when the workshop
-- has grown by k pins since the room's last snapshot (services/workshops.live_state).
WITH pins AS (
    SELECT p.district_id, p.record_key, CASE WHEN p.location_precision IN ('exact', 'grid') THEN cell.i END AS i,
           CASE WHEN p.location_precision IN ('exact', 'grid') THEN cell.j END AS j
    FROM pin p
    CROSS JOIN LATERAL (SELECT p.metric_x AS x, p.metric_y AS y) AS metric
    {{hex_cell}}
    WHERE p.workshop_id = :workshop_id
)
SELECT 'cell' AS level, i, j, NULL::integer AS district_id, count(*) AS pin_count, sum(record_key) AS key_sum
FROM pins WHERE i IS NOT NULL
GROUP BY i, j
UNION ALL
SELECT 'district', NULL, NULL, district_id, count(*), sum(record_key) FROM pins GROUP BY district_id
UNION ALL
SELECT 'workshop', NULL, NULL, NULL, count(*), coalesce(sum(record_key), 0) FROM pins
