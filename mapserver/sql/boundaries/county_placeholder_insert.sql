-- Municipalities reference their county; the county's outline is filled in from them afterwards.
INSERT INTO county (key, name, kind, geom)
VALUES (:key, :name, :kind, ST_GeomFromText('MULTIPOLYGON EMPTY', :storage_srid))
ON CONFLICT (key) DO NOTHING
