-- Filtered pin counts of a run per district of one municipality, by category and dimension mask
-- (the cube summed before the join, as for municipalities).
WITH counts AS (
    SELECT q.district_id, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum
    FROM pin_cube q
    WHERE q.run_id = :run_id AND q.municipality_ags = :ags AND {{pin_filter}}
    GROUP BY q.district_id, q.category, q.dimension_mask
)
SELECT d.id AS key, d.name, d.approximate, d.population, ST_Area(ST_Transform(d.geom, :metric_srid)) / 1e6 AS area_km2,
       counts.category, counts.dimension_mask, counts.pin_count, counts.key_sum
FROM district d
LEFT JOIN counts ON counts.district_id = d.id
WHERE d.municipality_ags = :ags
