-- A stored pin as the API shows it to the resident who sent it.
SELECT p.client_id, p.edit_key_hash, p.status, p.category, p.dimensions, p.created_at, p.location_precision,
       ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
       m.ags AS municipality_ags, m.name AS municipality_name,
       d.id AS district_id, d.name AS district_name, d.approximate AS district_approximate
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags
LEFT JOIN district d ON d.id = p.district_id
WHERE p.client_id = :client_id
