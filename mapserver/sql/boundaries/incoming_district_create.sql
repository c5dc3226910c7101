-- Staging for import-districts: the file's polygons, in storage CRS, gone at commit.
CREATE TEMP TABLE incoming_district (name text, geom geometry) ON COMMIT DROP
