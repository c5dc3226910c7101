-- The county's municipalities in metres (ETRS89 / UTM 32N), so the background pins can be spread
-- uniformly by area in Python: one seeded random generator then decides every draw, places and
-- attributes alike, and the same seed gives the same demo data.
SELECT ags, name, active, ST_AsBinary(ST_Transform(geom, :metric_srid)) AS geom
FROM municipality
WHERE county_key = :county_key
ORDER BY ags
