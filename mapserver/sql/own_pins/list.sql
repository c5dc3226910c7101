-- A resident's own pins: those stored with the hash of their private edit link's secret.
SELECT p.client_id, p.category, p.dimensions, p.comment, p.status, p.age_band, p.years_here, p.created_at,
       ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon, p.location_precision,
       m.ags AS municipality_ags, m.name AS municipality_name, d.name AS district_name,
       w.title AS workshop_title
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags
LEFT JOIN district d ON d.id = p.district_id
LEFT JOIN workshop w ON w.id = p.workshop_id
WHERE p.edit_key_hash = :edit_key_hash
ORDER BY p.created_at, p.id
