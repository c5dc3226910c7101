-- The county's municipalities for the maps, with pins' per-capita basis. GeoJSON is built by PostGIS
-- (no Python round trip through shapely), 6 decimals (~0.1 m).
SELECT m.ags, m.name, m.kind, m.active, m.population, m.population_date,
       round(CAST(ST_Area(ST_Transform(m.geom, :metric_srid)) / 1e6 AS numeric), 2) AS area_km2,
       (SELECT count(*) FROM district d WHERE d.municipality_ags = m.ags) AS district_count,
       ST_AsGeoJSON(m.geom, 6) AS geometry
FROM municipality m
WHERE m.county_key = :county_key
ORDER BY m.name
