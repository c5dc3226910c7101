SELECT w.id, w.title, w.held_on, m.name AS municipality_name, d.name AS district_name, w.created_by,
       a.name AS created_by_name, (SELECT count(*) FROM pin p WHERE p.workshop_id = w.id) AS pin_count
FROM workshop w
JOIN municipality m ON m.ags = w.municipality_ags AND m.county_key = :county_key
JOIN account a ON a.id = w.created_by
LEFT JOIN district d ON d.id = w.district_id
ORDER BY w.held_on DESC, w.id DESC
