-- One municipality from the BKG boundaries. Keyed on the AGS so that re-importing updates in place
-- and keeps every pin's foreign key valid.
INSERT INTO municipality (ags, county_key, name, kind, active, population, population_date, geom)
VALUES (:ags, :county_key, :name, :kind, :active, :population, :population_date,
        ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)))
ON CONFLICT (ags) DO UPDATE SET
    county_key = EXCLUDED.county_key,
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    active = EXCLUDED.active,
    population = EXCLUDED.population,
    population_date = EXCLUDED.population_date,
    geom = EXCLUDED.geom
