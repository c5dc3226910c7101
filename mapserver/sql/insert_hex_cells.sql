-- The hexagon grid of every municipality: ST_HexagonGrid in the metric CRS (cell size = edge
-- length), the cells that touch the municipality. The grid is anchored at the CRS origin, so
-- neighbouring municipalities share identical cells along their border.
INSERT INTO hex_cell (run_id, id, municipality_ags, i, j, geom, centre)
SELECT :run_id, row_number() OVER (ORDER BY m.ags, h.i, h.j), m.ags, h.i, h.j,
       ST_Transform(h.geom, :storage_srid), ST_Transform(ST_Centroid(h.geom), :storage_srid)
FROM municipality m
CROSS JOIN LATERAL (SELECT ST_Transform(m.geom, :metric_srid) AS geom) metric
CROSS JOIN LATERAL ST_HexagonGrid(:cell_size_m, metric.geom) h
WHERE m.county_key = :county_key AND ST_Intersects(h.geom, metric.geom)
