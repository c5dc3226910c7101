-- Each incoming polygon goes to the county's municipality it overlaps most, measured in m² in
-- ETRS89 / UTM 32N; parts with the same name in the same municipality become one district
-- (names repeat across municipalities, e.g. Rohrsen in Bad Münder and in Hameln).
-- A polygon that overlaps no municipality of the county gets no row.
WITH assigned AS (
    SELECT i.name, best.ags, i.geom
    FROM incoming_district i
    CROSS JOIN LATERAL (
        SELECT m.ags,
               ST_Area(ST_Intersection(ST_Transform(m.geom, 25832), ST_Transform(i.geom, 25832))) AS overlap_m2
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
