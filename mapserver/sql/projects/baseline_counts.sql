-- The pins of a run in a project's area, by category and dimension mask with their record keys'
-- sums (what the disclosure rules need to publish them): the run's stored aggregates (pin_cube)
-- of the hexagon cells whose centre lies in the area, so that no single pin is read and the count
-- is one the public snapshot already holds, cell by cell. Cells across a municipal border count
-- with each part whose centre lies inside. The area is the project's own, or the one given as
-- GeoJSON (:area, EPSG:4326, e.g. the area a stored baseline was taken for).
SELECT 'area' AS key, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum
FROM project p
JOIN hex_cell c ON c.run_id = :run_id
     AND ST_Intersects(c.centre, COALESCE(ST_SetSRID(ST_GeomFromGeoJSON(CAST(:area AS text)), 4326), p.area))
JOIN pin_cube q ON q.run_id = c.run_id AND q.cell_id = c.id AND q.municipality_ags = c.municipality_ags
WHERE p.id = :project_id
GROUP BY q.category, q.dimension_mask
