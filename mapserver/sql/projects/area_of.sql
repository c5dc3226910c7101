-- A project's area as GeoJSON with the digits it is stored with (what its baseline keeps, so that
-- the same area can be counted again), or NULL without one.
SELECT ST_AsGeoJSON(area, 15) AS area FROM project WHERE id = :id
