-- The backlog: comments waiting for moderation per municipality of the county (pins without a
-- comment wait for nothing and are not counted), every municipality listed, most waiting first.
SELECT m.ags, m.name, count(p.id) AS waiting
FROM municipality m
LEFT JOIN pin p ON p.municipality_ags = m.ags AND p.status = 'pending' AND p.comment ~ '[^[:space:]]'
WHERE m.county_key = :county_key
GROUP BY m.ags, m.name
ORDER BY count(p.id) DESC, m.name
