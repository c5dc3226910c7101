INSERT INTO workshop (title, held_on, municipality_ags, district_id, join_code, created_by)
VALUES (:title, :held_on, :municipality_ags, :district_id, :join_code, :created_by)
RETURNING id
