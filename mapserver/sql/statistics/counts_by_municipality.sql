-- Filtered pin counts of a run per municipality (all, or the one of :ags), by category and
-- dimension mask (Python folds the masks into per-dimension counts), with the sums of the pins'
-- record keys (services/disclosure.py) and what per-capita and per-area rates need. The cube
-- is summed before the join, so geometries are not dragged through the grouping.
WITH counts AS (
    SELECT q.municipality_ags, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum
    FROM pin_cube q
    WHERE q.run_id = :run_id AND (CAST(:ags AS text) IS NULL OR q.municipality_ags = :ags) AND {{pin_filter}}
    GROUP BY q.municipality_ags, q.category, q.dimension_mask
)
SELECT m.ags AS key, m.name, m.population, ST_Area(ST_Transform(m.geom, :metric_srid)) / 1e6 AS area_km2,
       counts.category, counts.dimension_mask, counts.pin_count, counts.key_sum
FROM municipality m
LEFT JOIN counts ON counts.municipality_ags = m.ags
WHERE m.county_key = :county_key AND (CAST(:ags AS text) IS NULL OR m.ags = :ags)
