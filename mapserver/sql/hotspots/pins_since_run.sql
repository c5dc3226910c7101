-- How many pins of the county arrived after the latest finished run (for refresh --if-needed).
SELECT count(*) FROM pin p JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
WHERE p.id > coalesce((SELECT last_pin_id FROM aggregate_run WHERE county_key = :county_key
                       AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1), 0)
