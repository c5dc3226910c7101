-- A district's frame for its paper questionnaire: its name and municipality, its bounds in the
-- metric CRS (the grid is laid in metres), and the names and label points of every district of
-- its municipality (the landmarks printed on the map).
SELECT d.id, d.name, m.ags, m.name AS municipality_name,
       ST_XMin(g.geom) AS west, ST_YMin(g.geom) AS south, ST_XMax(g.geom) AS east, ST_YMax(g.geom) AS north
FROM district d
JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
CROSS JOIN LATERAL (SELECT ST_Transform(d.geom, :metric_srid) AS geom) AS g
WHERE d.id = :district_id
