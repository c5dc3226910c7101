-- Keyed on (municipality, name): a re-import updates the same row, so district ids stay stable,
-- and a row whose data did not change is not touched. Returns the id in either case.
WITH upserted AS (
    INSERT INTO district (municipality_ags, name, approximate, source, geom, centre)
    VALUES (:municipality_ags, :name, :approximate, :source,
            ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), :storage_srid)),
            CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
                 ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), :storage_srid) END)
    ON CONFLICT (municipality_ags, name) DO UPDATE SET
        approximate = EXCLUDED.approximate,
        source = EXCLUDED.source,
        geom = EXCLUDED.geom,
        centre = EXCLUDED.centre
    WHERE (district.approximate, district.source) IS DISTINCT FROM (EXCLUDED.approximate, EXCLUDED.source)
       OR NOT ST_OrderingEquals(district.geom, EXCLUDED.geom)
       OR ST_AsBinary(district.centre) IS DISTINCT FROM ST_AsBinary(EXCLUDED.centre)
    RETURNING id
)
SELECT id FROM upserted
UNION ALL
SELECT id FROM district
WHERE municipality_ags = :municipality_ags AND name = :name AND NOT EXISTS (SELECT 1 FROM upserted)
