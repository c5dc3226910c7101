-- Two CTEs: the point of :lon, :lat, and the first municipality of the county (:county_key) that
-- covers it (ags, name; none outside the county), as a pin placed there is resolved.
point AS (
    SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), :storage_srid) AS geom
), area AS (
    SELECT m.ags, m.name FROM municipality m, point p
    WHERE m.county_key = :county_key AND ST_Covers(m.geom, p.geom)
    ORDER BY m.ags LIMIT 1
)
