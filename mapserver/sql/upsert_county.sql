-- The county outline is the union of its municipalities (so both share every boundary vertex).
INSERT INTO county (key, name, kind, geom, imported_at)
SELECT CAST(:key AS varchar), :name, :kind, ST_Multi(ST_Union(geom)), now()
FROM municipality WHERE county_key = CAST(:key AS varchar)
ON CONFLICT (key) DO UPDATE SET
    name = EXCLUDED.name, kind = EXCLUDED.kind, geom = EXCLUDED.geom, imported_at = EXCLUDED.imported_at
