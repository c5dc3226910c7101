-- Filtered pin counts of a run per municipality, by category and dimension mask (Python folds
-- the masks into per-dimension counts), with what per-capita and per-area rates need. The cube
-- is summed before the join, so geometries are not dragged through the grouping.
WITH counts AS (
    SELECT q.municipality_ags, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count
    FROM pin_cube q
    WHERE q.run_id = :run_id AND {{cube_filter}}
    GROUP BY q.municipality_ags, q.category, q.dimension_mask
)
SELECT m.ags AS key, m.name, m.population, ST_Area(ST_Transform(m.geom, :metric_srid)) / 1e6 AS area_km2,
       counts.category, counts.dimension_mask, counts.pin_count
FROM municipality m
LEFT JOIN counts ON counts.municipality_ags = m.ags
WHERE m.county_key = :county_key
