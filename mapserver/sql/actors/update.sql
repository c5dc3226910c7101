-- Change one actor of the county in place; updated_at says when (the public list shows no history,
-- the audit log keeps it). No row: not of this county, or deleted meanwhile.
UPDATE local_actor
SET municipality_ags = :municipality_ags, district_id = :district_id, name = :name, kind = :kind,
    description = :description, contact = :contact, updated_at = now(),
    geom = ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), :storage_srid)
WHERE id = :id AND county_key = :county_key
RETURNING id
