-- Keyed on (municipality, name): a re-import updates the same row, so district ids stay stable.
INSERT INTO district (municipality_ags, name, approximate, source, geom, centre)
VALUES (:municipality_ags, :name, :approximate, :source,
        ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)),
        CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
             ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END)
ON CONFLICT (municipality_ags, name) DO UPDATE SET
    approximate = EXCLUDED.approximate,
    source = EXCLUDED.source,
    geom = EXCLUDED.geom,
    centre = EXCLUDED.centre
RETURNING id
