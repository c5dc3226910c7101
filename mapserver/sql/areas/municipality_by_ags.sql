-- One municipality of the configured county (no geometry): for page titles and ownership checks.
SELECT m.ags, m.name, m.kind, m.active, m.population, m.population_date,
       ST_XMin(m.geom) AS west, ST_YMin(m.geom) AS south, ST_XMax(m.geom) AS east, ST_YMax(m.geom) AS north,
       EXISTS (SELECT 1 FROM district d WHERE d.municipality_ags = m.ags AND d.approximate)
           AS has_approximate_districts
FROM municipality m
WHERE m.county_key = :county_key AND m.ags = :ags
