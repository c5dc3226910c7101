-- Each incoming polygon goes to the county's municipality it overlaps most (m², metric CRS) and
-- is cut to that municipality, so districts never reach into a neighbour. Parts with the same
-- name in the same municipality become one district (names repeat across municipalities, e.g.
-- Rohrsen in Bad Münder and in Hameln). A polygon that overlaps no municipality gets no row.
WITH assigned AS (
    SELECT i.name, best.ags, ST_Intersection(i.geom, best.municipality_geom) AS geom
    FROM incoming_district i
    CROSS JOIN LATERAL (
        SELECT m.ags, m.geom AS municipality_geom,
               ST_Area(ST_Intersection(ST_Transform(m.geom, :metric_srid), ST_Transform(i.geom, :metric_srid)))
                   AS overlap_m2
        FROM municipality m
        WHERE m.county_key = :county_key AND ST_Intersects(m.geom, i.geom)
        ORDER BY overlap_m2 DESC, m.ags
        LIMIT 1
    ) best
    WHERE best.overlap_m2 > 0
)
SELECT name, ags, ST_AsBinary(ST_Multi(ST_CollectionExtract(ST_Union(geom), 3))) AS wkb
FROM assigned
GROUP BY ags, name
ORDER BY ags, name
