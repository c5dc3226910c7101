SELECT w.id, w.title, w.held_on, w.municipality_ags, w.district_id, w.join_code
FROM workshop w WHERE w.join_code = :join_code
