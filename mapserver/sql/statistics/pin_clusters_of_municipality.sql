-- DBSCAN's dense clusters of a municipality, each with whether a significant hotspot (all pins)
-- overlaps it: the pages say so, and say plainly when a dense cluster is not significant; with the
-- districts it touches, for the planners' cluster table.
SELECT c.id, c.pin_count, c.key_sum, c.main_category, c.main_dimension, ST_AsGeoJSON(c.outline, 5) AS geometry,
       ST_X(c.centre) AS lon, ST_Y(c.centre) AS lat,
       ARRAY(SELECT d.name FROM district d
             WHERE d.municipality_ags = c.municipality_ags AND ST_Intersects(d.geom, c.outline) ORDER BY d.name) AS districts,
       EXISTS (SELECT 1 FROM hotspot h
               WHERE h.run_id = c.run_id AND h.variant = 'all' AND h.hotspot_class = 'hot'
                     AND ST_Intersects(h.geom, c.outline)) AS in_hotspot
FROM pin_cluster c
WHERE c.run_id = :run_id AND c.municipality_ags = :ags AND c.variant = 'all'
ORDER BY c.pin_count DESC, c.id
