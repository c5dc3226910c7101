-- The hotspots of one variant that reach into a municipality, strongest first (the scan's own
-- ranking). A hotspot across a border is one row for each municipality it reaches, with the
-- same id, pins and p-value; `municipalities` names all of them. The districts named are the
-- municipality's own, largest overlap first.
WITH reaching AS (
    SELECT DISTINCT s.hotspot_id
    FROM cell_statistic s JOIN hex_cell c ON c.run_id = s.run_id AND c.id = s.cell_id
    WHERE s.run_id = :run_id AND s.variant = :variant AND c.municipality_ags = :ags AND s.hotspot_id IS NOT NULL
)
SELECT h.id, h.hotspot_class, h.rank, h.pin_count, h.expected_pins, h.p_value, h.confidence, h.radius_m,
       ST_AsGeoJSON(h.geom, 6) AS geometry, ST_X(h.centre) AS lon, ST_Y(h.centre) AS lat,
       ST_XMin(h.geom) AS west, ST_YMin(h.geom) AS south, ST_XMax(h.geom) AS east, ST_YMax(h.geom) AS north,
       (SELECT array_agg(s.cell_id ORDER BY s.cell_id) FROM cell_statistic s
         WHERE s.run_id = h.run_id AND s.variant = h.variant AND s.hotspot_id = h.id) AS cell_ids,
       (SELECT array_agg(m.name ORDER BY m.name) FROM municipality m
         WHERE EXISTS (SELECT 1 FROM cell_statistic s JOIN hex_cell c ON c.run_id = s.run_id AND c.id = s.cell_id
                       WHERE s.run_id = h.run_id AND s.variant = h.variant AND s.hotspot_id = h.id
                             AND c.municipality_ags = m.ags)) AS municipalities,
       (SELECT array_agg(d.name ORDER BY ST_Area(ST_Intersection(d.geom, h.geom)) DESC)
          FROM district d WHERE d.municipality_ags = :ags AND ST_Intersects(d.geom, h.geom)
               AND ST_Area(ST_Intersection(d.geom, h.geom)) > 0) AS districts
FROM hotspot h
WHERE h.run_id = :run_id AND h.id IN (SELECT hotspot_id FROM reaching)
ORDER BY h.hotspot_class DESC, h.rank
