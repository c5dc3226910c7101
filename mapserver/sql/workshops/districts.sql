-- Every district of the county by municipality, for the workshop form's Ortsteil choice.
SELECT d.id, d.name, m.ags AS municipality_ags, m.name AS municipality_name
FROM district d
JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
ORDER BY m.name, d.name
