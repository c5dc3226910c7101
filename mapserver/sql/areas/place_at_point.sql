-- Where a point lies, as a pin stored there would be placed (sql/pins/insert.sql: the first
-- municipality of the county that covers it, its district by district_for_point), so the form
-- can name the place and stop a tap outside its municipality before anything is sent.
WITH point AS (
    SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), :storage_srid) AS geom
)
SELECT m.ags, m.name AS municipality_name, d.id AS district_id, d.name AS district_name,
       d.approximate AS district_approximate
FROM point p
JOIN municipality m ON m.county_key = :county_key AND ST_Covers(m.geom, p.geom)
LEFT JOIN district d ON d.id = district_for_point(m.ags, p.geom)
ORDER BY m.ags
LIMIT 1
