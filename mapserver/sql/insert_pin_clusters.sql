-- One dense cluster of a run (services/dense_clusters.py finds and describes them): its outline
-- and centre come as WKB in the metric CRS.
INSERT INTO pin_cluster (run_id, id, variant, municipality_ags, pin_count, main_category, main_dimension,
                         outline, centre)
VALUES (:run_id, :id, 'all', :municipality_ags, :pin_count, :main_category, :main_dimension,
        ST_Transform(ST_GeomFromWKB(:outline, :metric_srid), :storage_srid),
        ST_Transform(ST_GeomFromWKB(:centre, :metric_srid), :storage_srid))
