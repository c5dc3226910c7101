-- One municipality from the BKG boundaries. Keyed on the AGS so that re-importing updates in place
-- and keeps every pin's foreign key valid; a row whose data did not change is not touched.
INSERT INTO municipality (ags, county_key, name, kind, active, population, population_date, geom)
VALUES (:ags, :county_key, :name, :kind, :active, :population, :population_date,
        ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), :storage_srid)))
ON CONFLICT (ags) DO UPDATE SET
    county_key = EXCLUDED.county_key,
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    active = EXCLUDED.active,
    population = EXCLUDED.population,
    population_date = EXCLUDED.population_date,
    geom = EXCLUDED.geom
WHERE (municipality.county_key, municipality.name, municipality.kind, municipality.active,
       municipality.population, municipality.population_date)
      IS DISTINCT FROM
      (EXCLUDED.county_key, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.active,
       EXCLUDED.population, EXCLUDED.population_date)
   OR NOT ST_OrderingEquals(municipality.geom, EXCLUDED.geom)
