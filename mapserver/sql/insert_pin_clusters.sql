-- Dense clusters: ST_ClusterDBSCAN in the metric CRS (eps in metres), per municipality. Each
-- cluster keeps its outline (convex hull, buffered by a quarter of eps so that a cluster on a
-- line still has an area), its size, its most frequent category and dimension. Only pins set on
-- the map: district centres would be false clusters.
WITH clustered AS (
    SELECT p.id, p.municipality_ags, p.category, p.dimensions, metric.geom,
           ST_ClusterDBSCAN(metric.geom, eps => :dbscan_eps_m, minpoints => :dbscan_min_pins)
               OVER (PARTITION BY p.municipality_ags) AS cluster_no
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    CROSS JOIN LATERAL (SELECT ST_Transform(p.geom, :metric_srid) AS geom) metric
    WHERE p.id <= :last_pin_id AND p.location_precision = 'exact'
), clusters AS (
    SELECT municipality_ags, cluster_no, count(*) AS pin_count,
           mode() WITHIN GROUP (ORDER BY category) AS main_category,
           ST_Buffer(ST_ConvexHull(ST_Collect(geom)), :dbscan_eps_m / 4.0, 'quad_segs=2') AS outline
    FROM clustered WHERE cluster_no IS NOT NULL
    GROUP BY municipality_ags, cluster_no
), dimensions AS (
    SELECT municipality_ags, cluster_no, mode() WITHIN GROUP (ORDER BY dimension) AS main_dimension
    FROM clustered, unnest(dimensions) AS dimension
    WHERE cluster_no IS NOT NULL
    GROUP BY municipality_ags, cluster_no
)
INSERT INTO pin_cluster (run_id, id, variant, municipality_ags, pin_count, main_category, main_dimension,
                         outline, centre)
SELECT :run_id, row_number() OVER (ORDER BY c.municipality_ags, c.pin_count DESC, c.cluster_no), 'all',
       c.municipality_ags, c.pin_count, c.main_category, d.main_dimension,
       ST_Transform(c.outline, :storage_srid), ST_Transform(ST_Centroid(c.outline), :storage_srid)
FROM clusters c
LEFT JOIN dimensions d USING (municipality_ags, cluster_no)
