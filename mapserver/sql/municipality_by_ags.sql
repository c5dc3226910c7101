-- One municipality of the configured county (no geometry): for page titles and ownership checks.
SELECT m.ags, m.name, m.kind, m.active, m.population, m.population_date,
       ST_XMin(m.geom) AS west, ST_YMin(m.geom) AS south, ST_XMax(m.geom) AS east, ST_YMax(m.geom) AS north
FROM municipality m
WHERE m.county_key = :county_key AND m.ags = :ags
