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
), inserted AS (
    INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here,
                     municipality_ags, district_id, workshop_id, edit_key_hash, location_precision)
    SELECT :client_id, a.geom, :category, CAST(:dimensions AS text[]), :comment, :age_band, :years_here,
           a.ags, a.district_id,
           (SELECT w.id FROM workshop w WHERE w.id = CAST(:workshop_id AS integer) AND w.municipality_ags = a.ags),
           :edit_key_hash, 'district'
    FROM area a
    ON CONFLICT (client_id) DO NOTHING
    {{pin_answer_returning}}
)
SELECT i.client_id, i.status, i.category, i.dimensions, i.created_at, i.location_precision,
       ST_Y(i.geom) AS lat, ST_X(i.geom) AS lon,
       i.municipality_ags, a.name AS municipality_name,
       a.district_id, a.district_name, a.district_approximate
FROM inserted i JOIN area a ON a.ags = i.municipality_ags
