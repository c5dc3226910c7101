SELECT id, pin_count, main_category, main_dimension, ST_AsGeoJSON(outline, 5) AS geometry,
       ST_X(centre) AS lon, ST_Y(centre) AS lat
FROM pin_cluster
WHERE run_id = :run_id AND municipality_ags = :ags AND variant = 'all'
ORDER BY pin_count DESC, id
