-- The pins of a run in the area a project had when it started, rebuilt from what it was made of
-- then (ideas' areas as they were, Ortsteile: the union projects/insert.sql made), counted as
-- projects/baseline_counts counts the baseline (the hexagon cells whose centre lies in the area,
-- from the run's stored aggregates), so that today's numbers and the baseline cover one area.
-- `found` says whether every idea and Ortsteil named then still exists (else the area is not the
-- same and nothing is counted).
WITH {{project_area}}, found AS (
    SELECT (SELECT count(*) FROM idea WHERE id = ANY (CAST(:idea_ids AS integer[])))
               = cardinality(CAST(:idea_ids AS integer[]))
       AND (SELECT count(*) FROM district WHERE id = ANY (CAST(:district_ids AS integer[])))
               = cardinality(CAST(:district_ids AS integer[])) AS complete
)
SELECT 'area' AS key, q.category, q.dimension_mask, sum(q.pin_count) AS pin_count, sum(q.key_sum) AS key_sum,
       bool_and(f.complete) AS complete
FROM found f
LEFT JOIN area a ON true
LEFT JOIN hex_cell c ON c.run_id = :run_id AND ST_Intersects(c.centre, a.geom)
LEFT JOIN pin_cube q ON q.run_id = c.run_id AND q.cell_id = c.id AND q.municipality_ags = c.municipality_ags
GROUP BY q.category, q.dimension_mask
