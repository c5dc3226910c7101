-- Every hexagon cell part of a run in the county (or one municipality) with what the scan stored
-- for one variant: the pins it counted, the pins the baseline lets expect there, the hotspot or
-- coldspot the part belongs to. Empty cells too, so that the statistic can be recomputed from
-- the export. A cell across a municipal border has one part per municipality (same i, j and
-- hexagon, its area share each); the geometry is the whole hexagon in the chosen CRS (:srid),
-- at full precision.
SELECT c.id AS cell, c.i, c.j, c.municipality_ags, m.name AS municipality, c.area_share,
       s.pin_count AS statistic_pins, s.expected_pins, COALESCE(s.hotspot_class, 'none') AS hotspot_class,
       s.confidence, s.hotspot_id AS hotspot, h.p_value,
       ST_AsBinary(ST_Transform(c.geom, CAST(:srid AS integer))) AS wkb
FROM hex_cell c
JOIN municipality m ON m.ags = c.municipality_ags AND m.county_key = :county_key
LEFT JOIN cell_statistic s ON s.run_id = c.run_id AND s.cell_id = c.id AND s.variant = :variant
LEFT JOIN hotspot h ON h.run_id = s.run_id AND h.id = s.hotspot_id
WHERE c.run_id = :run_id AND (CAST(:ags AS varchar) IS NULL OR c.municipality_ags = CAST(:ags AS varchar))
ORDER BY c.id
