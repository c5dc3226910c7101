-- District outlines for the district aggregates export (counts are added from the cube).
SELECT d.id, d.municipality_ags, m.name AS municipality, d.name, d.approximate, ST_AsBinary(d.geom) AS wkb
FROM district d JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
WHERE CAST(:ags AS varchar) IS NULL OR d.municipality_ags = CAST(:ags AS varchar)
ORDER BY d.municipality_ags, d.name
