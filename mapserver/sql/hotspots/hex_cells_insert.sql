-- The hexagon grid of every municipality: ST_HexagonGrid in the metric CRS (cell size = edge
-- length), the cells that touch the municipality, each with the share of its area inside it.
-- The grid is anchored at the CRS origin, so neighbouring municipalities share identical cells
-- along their border: the analysis sums a cell's parts and treats the county as one surface.
-- The boundaries are transformed once (MATERIALIZED) so the intersection tests reuse one
-- prepared geometry per municipality; only cells not covered whole pay for an intersection.
WITH metric AS MATERIALIZED (
    SELECT m.ags, ST_Transform(m.geom, :metric_srid) AS geom
    FROM municipality m WHERE m.county_key = :county_key
), cells AS (
    SELECT metric.ags, h.i, h.j, h.geom,
           CASE WHEN ST_Covers(metric.geom, h.geom) THEN 1.0
                ELSE ST_Area(ST_Intersection(h.geom, metric.geom)) / ST_Area(h.geom) END AS area_share
    FROM metric
    CROSS JOIN LATERAL ST_HexagonGrid(:cell_size_m, metric.geom) h
    WHERE ST_Intersects(h.geom, metric.geom)
)
INSERT INTO hex_cell (run_id, id, municipality_ags, i, j, area_share, geom, centre)
SELECT :run_id, row_number() OVER (ORDER BY ags, i, j), ags, i, j, area_share,
       ST_Transform(geom, :storage_srid), ST_Transform(ST_Centroid(geom), :storage_srid)
FROM cells
WHERE area_share > 0
