-- Approximate districts of one municipality: the Voronoi cells of its Ortsteil centre points,
-- computed in ETRS89 / UTM 32N (metric, so cells are fair in metres, not degrees) and clipped
-- to the municipality. The cells tile the municipality without gaps or overlaps.
-- Each cell is matched back to the centre point it contains.
WITH municipality_utm AS (
    SELECT ST_Transform(geom, :metric_srid) AS geom FROM municipality WHERE ags = :ags
), centres AS (
    SELECT c.name, c.lon, c.lat, ST_Transform(ST_SetSRID(ST_MakePoint(c.lon, c.lat), :storage_srid), :metric_srid) AS geom
    FROM unnest(CAST(:names AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[])) AS c(name, lon, lat)
), cells AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(c.geom), 0, ST_Expand(m.geom, 5000)))).geom AS geom
    FROM centres c CROSS JOIN municipality_utm m
    GROUP BY m.geom
), clipped AS (
    SELECT c.name, c.lon, c.lat,
           ST_CollectionExtract(ST_Intersection(cells.geom, m.geom), 3) AS geom
    FROM cells
    JOIN centres c ON ST_Intersects(cells.geom, c.geom)
    CROSS JOIN municipality_utm m
)
SELECT name,
       ST_AsBinary(ST_Multi(ST_Transform(geom, :storage_srid))) AS wkb,
       lon, lat
FROM clipped
WHERE NOT ST_IsEmpty(geom)
