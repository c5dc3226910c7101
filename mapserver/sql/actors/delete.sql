-- Delete one actor of the county; project partnerships go with it (ON DELETE CASCADE). No row: not
-- of this county, or deleted already (a double click logs nothing twice).
DELETE FROM local_actor WHERE id = :id AND county_key = :county_key RETURNING id
