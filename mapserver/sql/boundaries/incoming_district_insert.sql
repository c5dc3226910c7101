INSERT INTO incoming_district VALUES (:name, ST_SetSRID(ST_GeomFromWKB(:wkb), :storage_srid))
