-- The demo account's workshops go with the demo data they were made for; the demo pins sent
-- through their links are gone already (any other pin would stay: workshop_id is SET NULL).
DELETE FROM workshop WHERE created_by = :account_id
RETURNING id
