-- Filtered pins of a run per calendar week (Monday) and category, of one municipality: how
-- the campaign went over time. From the run's cube, like every other planner number.
SELECT CAST(date_trunc('week', q.created_on) AS date) AS week, q.category, sum(q.pin_count) AS pins
FROM pin_cube q
WHERE q.run_id = :run_id AND q.municipality_ags = :ags AND {{pin_filter}}
GROUP BY 1, 2
ORDER BY 1, 2
