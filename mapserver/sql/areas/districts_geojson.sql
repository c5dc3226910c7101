-- The districts of one municipality for the maps; `approximate` tells the map to say "ungefähre Grenzen".
SELECT d.id, d.name, d.approximate, d.source,
       ST_AsGeoJSON(d.geom, 6) AS geometry,
       ST_X(ST_PointOnSurface(d.geom)) AS label_lon, ST_Y(ST_PointOnSurface(d.geom)) AS label_lat
FROM district d
WHERE d.municipality_ags = :ags
ORDER BY d.name
