UPDATE workshop SET title = :title, held_on = :held_on, municipality_ags = :municipality_ags,
                    district_id = :district_id
WHERE id = :id
