-- The hotspots of one variant that reach into a municipality (any of their cell parts lies in
-- it), hotspots first, each class in the scan's own ranking. A hotspot across a border is the
-- same row for each municipality it reaches, with the same id, pins and p-value;
-- `municipalities` names all of them. The districts named are the municipality's own, largest
-- overlap first.
SELECT h.id, h.hotspot_class, h.rank, h.pin_count, h.expected_pins, h.p_value, h.confidence, h.radius_m,
       h.cell_ids, ST_AsGeoJSON(h.geom, 6) AS geometry, ST_X(h.centre) AS lon, ST_Y(h.centre) AS lat,
       ST_XMin(h.geom) AS west, ST_YMin(h.geom) AS south, ST_XMax(h.geom) AS east, ST_YMax(h.geom) AS north,
       (SELECT array_agg(m.name ORDER BY m.name) FROM municipality m
         WHERE EXISTS (SELECT 1 FROM hex_cell c WHERE c.run_id = h.run_id AND c.id = ANY(h.cell_ids)
                       AND c.municipality_ags = m.ags)) AS municipalities,
       (SELECT array_agg(d.name ORDER BY ST_Area(ST_Intersection(d.geom, h.geom)) DESC)
          FROM district d WHERE d.municipality_ags = :ags AND ST_Intersects(d.geom, h.geom)
               AND ST_Area(ST_Intersection(d.geom, h.geom)) > 0) AS districts
FROM hotspot h
WHERE h.run_id = :run_id AND h.variant = :variant
  AND EXISTS (SELECT 1 FROM hex_cell c WHERE c.run_id = h.run_id AND c.id = ANY(h.cell_ids) AND c.municipality_ags = :ags)
ORDER BY h.hotspot_class DESC, h.rank
