-- The county's municipalities for lists (no geometry, cheap), by name.
SELECT m.ags, m.name, m.kind, m.active
FROM municipality m
WHERE m.county_key = :county_key
ORDER BY m.name
