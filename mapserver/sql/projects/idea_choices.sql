-- The ideas a project may be made from: the county's published ones, by municipality and title.
SELECT i.id, i.title, i.municipality_ags, m.name AS municipality_name, i.source, i.support_count
FROM idea i
JOIN municipality m ON m.ags = i.municipality_ags
WHERE i.county_key = :county_key AND i.status = 'published'
ORDER BY m.name, i.title, i.id
