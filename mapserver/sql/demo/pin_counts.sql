-- How many of the county's pins are demo pins and how many are residents' (real) pins. A demo pin
-- is known by its client id alone: uuid5 of the demo namespace and its number, computed by the
-- caller (PostgreSQL has no uuid5 without an extension). The ids come as one array and are joined
-- as a set (hashed), not searched with = ANY for every pin.
WITH demo AS (
    SELECT DISTINCT unnest(CAST(:demo_ids AS uuid[])) AS client_id
)
SELECT count(*) FILTER (WHERE d.client_id IS NOT NULL) AS demo_pins,
       count(*) FILTER (WHERE d.client_id IS NULL) AS real_pins
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
LEFT JOIN demo d ON d.client_id = p.client_id
