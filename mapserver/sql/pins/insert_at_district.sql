-- Store a pin chosen from lists, without the map: at its district's centre (the Ortsteil point,
-- or a point on the district's surface), marked location_precision 'district'. A district of
-- another county inserts nothing; a retried client id inserts nothing either.
WITH area AS (
    SELECT d.id AS district_id, d.name AS district_name, d.approximate AS district_approximate,
           m.ags, m.name,
           coalesce(CASE WHEN d.centre IS NOT NULL AND ST_Covers(d.geom, d.centre) THEN d.centre END,
                    ST_PointOnSurface(d.geom)) AS geom
    FROM district d JOIN municipality m ON m.ags = d.municipality_ags AND m.county_key = :county_key
    WHERE d.id = :district_id
), tag AS (
    -- tagged only when the pin lies in the workshop's municipality (its join link's area); such a
    -- pin's source is the workshop, any other's the resident's own device
    SELECT w.id FROM workshop w, area a WHERE w.id = CAST(:workshop_id AS integer) AND w.municipality_ags = a.ags
), inserted AS (
    INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here,
                     municipality_ags, district_id, workshop_id, edit_key_hash, location_precision, source)
    SELECT :client_id, a.geom, :category, CAST(:dimensions AS text[]), :comment, :age_band, :years_here,
           a.ags, a.district_id, (SELECT id FROM tag), :edit_key_hash, 'district',
           CASE WHEN EXISTS (SELECT 1 FROM tag) THEN 'workshop' ELSE 'online' END
    FROM area a
    ON CONFLICT (client_id) DO NOTHING
    {{pin_answer_returning}}
)
SELECT i.client_id, i.status, i.category, i.dimensions, i.created_at, i.location_precision,
       ST_Y(i.geom) AS lat, ST_X(i.geom) AS lon,
       i.municipality_ags, a.name AS municipality_name,
       a.district_id, a.district_name, a.district_approximate
FROM inserted i JOIN area a ON a.ags = i.municipality_ags
