SELECT w.id, w.title, w.held_on, w.municipality_ags, m.name AS municipality_name, w.district_id,
       d.name AS district_name, w.join_code, w.created_by, a.name AS created_by_name, w.created_at,
       (SELECT count(*) FROM pin p WHERE p.workshop_id = w.id) AS pin_count
FROM workshop w
JOIN municipality m ON m.ags = w.municipality_ags
JOIN account a ON a.id = w.created_by
LEFT JOIN district d ON d.id = w.district_id
WHERE w.id = :id
