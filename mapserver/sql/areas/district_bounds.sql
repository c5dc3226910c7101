SELECT d.id, d.name, d.approximate, d.population,
       ST_XMin(d.geom) AS west, ST_YMin(d.geom) AS south, ST_XMax(d.geom) AS east, ST_YMax(d.geom) AS north
FROM district d WHERE d.id = :district_id AND d.municipality_ags = :ags
