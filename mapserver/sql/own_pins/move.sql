-- A resident moves their own pin to a point on the map: placed as a new pin would be
-- (sql/pins/insert.sql: the first municipality of the county that covers it, its district by
-- district_for_point), now exact; the workshop tag stays only while the pin lies in the
-- workshop's municipality. A point outside the county, or a pin not of this link, changes nothing.
WITH {{point_in_county}}
UPDATE pin
SET geom = p.geom, municipality_ags = a.ags, district_id = district_for_point(a.ags, p.geom),
    location_precision = 'exact',
    workshop_id = (SELECT w.id FROM workshop w WHERE w.id = pin.workshop_id AND w.municipality_ags = a.ags)
FROM point p, area a
WHERE pin.edit_key_hash = :edit_key_hash AND pin.client_id = :client_id
RETURNING pin.client_id
