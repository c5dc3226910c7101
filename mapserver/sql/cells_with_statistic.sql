-- The hexagon cells of one municipality with their Gi* result for one variant.
SELECT c.id, ST_AsGeoJSON(c.geom, 5) AS geometry, ST_X(c.centre) AS lon, ST_Y(c.centre) AS lat,
       s.pin_count AS variant_pin_count, s.gi_z, s.gi_p, s.hotspot_class, s.confidence
FROM hex_cell c
LEFT JOIN cell_statistic s ON s.run_id = c.run_id AND s.cell_id = c.id AND s.variant = :variant
WHERE c.run_id = :run_id AND c.municipality_ags = :ags
ORDER BY c.id
