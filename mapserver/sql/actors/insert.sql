-- A new local actor with its places already resolved (resolve_place.sql); the point is NULL when
-- only the municipality or Ortsteil is known (ST_MakePoint of NULLs is NULL).
INSERT INTO local_actor (county_key, municipality_ags, district_id, name, kind, description, contact, geom)
VALUES (:county_key, :municipality_ags, :district_id, :name, :kind, :description, :contact,
        ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), :storage_srid))
RETURNING id
