-- The county outline is the union of its municipalities (so both share every boundary vertex).
-- imported_at records when the county last changed; an import that changes nothing keeps it.
INSERT INTO county (key, name, kind, attributions, geom, imported_at)
SELECT CAST(:key AS varchar), :name, :kind, CAST(:attributions AS text[]), ST_Multi(ST_Union(geom)), now()
FROM municipality WHERE county_key = CAST(:key AS varchar)
ON CONFLICT (key) DO UPDATE SET
    name = EXCLUDED.name, kind = EXCLUDED.kind, attributions = EXCLUDED.attributions,
    geom = EXCLUDED.geom, imported_at = EXCLUDED.imported_at
WHERE (county.name, county.kind, county.attributions)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.attributions)
   OR NOT ST_OrderingEquals(county.geom, EXCLUDED.geom)
