-- The configured county with its bounding box (for fitting maps).
SELECT c.key, c.name, c.kind,
       ST_XMin(c.geom) AS west, ST_YMin(c.geom) AS south, ST_XMax(c.geom) AS east, ST_YMax(c.geom) AS north
FROM county c WHERE c.key = :county_key
