-- The districts of the county (or of one municipality), by name, for the lists of the no-map
-- path and the Ortsteil search.
SELECT d.id, d.name, m.ags AS municipality_ags, m.name AS municipality_name
FROM district d JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
WHERE (CAST(:ags AS varchar) IS NULL OR m.ags = CAST(:ags AS varchar))
  AND (CAST(:name AS text) IS NULL OR strpos(lower(d.name), lower(CAST(:name AS text))) > 0)
ORDER BY d.name, m.name
