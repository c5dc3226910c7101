-- The configured county with its bounding box (for fitting maps) and its data attributions.
SELECT c.key, c.name, c.kind, c.attributions,
       ST_XMin(c.geom) AS west, ST_YMin(c.geom) AS south, ST_XMax(c.geom) AS east, ST_YMax(c.geom) AS north
FROM county c WHERE c.key = :county_key
