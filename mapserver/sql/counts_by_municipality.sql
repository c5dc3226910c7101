-- Filtered pin counts of a run per municipality, by category and dimension mask (Python folds
-- the masks into per-dimension counts), with what per-capita and per-area rates need.
SELECT m.ags AS key, m.name, m.population, ST_Area(ST_Transform(m.geom, :metric_srid)) / 1e6 AS area_km2,
       q.category, q.dimension_mask, sum(q.pin_count) AS pin_count
FROM municipality m
LEFT JOIN pin_cube q ON q.run_id = :run_id AND q.municipality_ags = m.ags AND {{cube_filter}}
WHERE m.county_key = :county_key
GROUP BY m.ags, m.name, m.population, m.geom, q.category, q.dimension_mask
