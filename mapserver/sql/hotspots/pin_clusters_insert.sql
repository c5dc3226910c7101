-- One dense cluster of a run (services/dense_clusters.py finds and describes them): its outline
-- and centre come as WKB in the metric CRS; key_sum is its pins' record keys summed (the cell
-- key method's, services/disclosure.py).
INSERT INTO pin_cluster (run_id, id, variant, municipality_ags, pin_count, main_category, main_dimension,
                         outline, centre, key_sum)
VALUES (:run_id, :id, 'all', :municipality_ags, :pin_count, :main_category, :main_dimension,
        ST_Transform(ST_GeomFromWKB(:outline, :metric_srid), :storage_srid),
        ST_Transform(ST_GeomFromWKB(:centre, :metric_srid), :storage_srid), :key_sum)
