-- District outlines for the district aggregates export (counts are added from the cube), in the
-- CRS the planner chose (:srid), at full precision.
SELECT d.id, d.municipality_ags, m.name AS municipality, d.name, d.approximate, d.population,
       ST_AsBinary(ST_Transform(d.geom, CAST(:srid AS integer))) AS wkb
FROM district d JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
WHERE CAST(:ags AS varchar) IS NULL OR d.municipality_ags = CAST(:ags AS varchar)
ORDER BY d.municipality_ags, d.name
