-- The municipality's hotspots for one variant: touching hot cells (p < 0.05 after FDR) merged
-- into areas, ranked by their strongest cell. Names the districts an area lies in.
WITH hot AS (
    SELECT c.id, c.geom, s.gi_z, s.confidence, s.pin_count
    FROM hex_cell c
    JOIN cell_statistic s ON s.run_id = c.run_id AND s.cell_id = c.id AND s.variant = :variant
    WHERE c.run_id = :run_id AND c.municipality_ags = :ags AND s.hotspot_class = 'hot'
), grouped AS (
    SELECT hot.*, ST_ClusterDBSCAN(ST_Transform(geom, :metric_srid), eps => 1, minpoints => 1) OVER () AS area_no
    FROM hot
), areas AS (
    SELECT area_no, array_agg(id ORDER BY id) AS cell_ids, max(gi_z) AS max_z, max(confidence) AS confidence,
           ST_Union(geom) AS geom
    FROM grouped GROUP BY area_no
)
SELECT a.area_no, a.cell_ids, a.max_z, a.confidence, ST_AsGeoJSON(a.geom, 6) AS geometry,
       ST_X(ST_PointOnSurface(a.geom)) AS lon, ST_Y(ST_PointOnSurface(a.geom)) AS lat,
       ST_XMin(a.geom) AS west, ST_YMin(a.geom) AS south, ST_XMax(a.geom) AS east, ST_YMax(a.geom) AS north,
       (SELECT array_agg(d.name ORDER BY ST_Area(ST_Intersection(d.geom, a.geom)) DESC)
          FROM district d WHERE d.municipality_ags = :ags AND ST_Intersects(d.geom, a.geom)
               AND ST_Area(ST_Intersection(d.geom, a.geom)) > 0) AS districts
FROM areas a
ORDER BY a.max_z DESC
