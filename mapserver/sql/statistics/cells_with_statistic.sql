-- The hexagon cells of one municipality with the scan's result for one variant: the pins the
-- baseline lets expect there and the hotspot (or coldspot) the cell belongs to, if any.
SELECT c.id, ST_AsGeoJSON(c.geom, 5) AS geometry, ST_X(c.centre) AS lon, ST_Y(c.centre) AS lat, c.area_share,
       s.pin_count AS variant_pin_count, s.expected_pins, s.hotspot_class, s.confidence, s.hotspot_id,
       h.p_value
FROM hex_cell c
LEFT JOIN cell_statistic s ON s.run_id = c.run_id AND s.cell_id = c.id AND s.variant = :variant
LEFT JOIN hotspot h ON h.run_id = s.run_id AND h.id = s.hotspot_id
WHERE c.run_id = :run_id AND c.municipality_ags = :ags
ORDER BY c.id
