-- Filtered pin counts of a run per district of one municipality, by category and dimension mask.
SELECT d.id AS key, d.name, d.approximate, d.population, ST_Area(ST_Transform(d.geom, :metric_srid)) / 1e6 AS area_km2,
       q.category, q.dimension_mask, sum(q.pin_count) AS pin_count
FROM district d
LEFT JOIN pin_cube q ON q.run_id = :run_id AND q.district_id = d.id AND {{cube_filter}}
WHERE d.municipality_ags = :ags
GROUP BY d.id, d.name, d.approximate, d.population, d.geom, q.category, q.dimension_mask
