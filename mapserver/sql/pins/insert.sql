-- Store a pin and resolve its municipality and district in the same statement, so the areas are
-- fixed at insert time (aggregation later is a plain GROUP BY) and the answer needs no second
-- round trip. A point that no municipality of the configured county covers inserts nothing; a
-- retried client id inserts nothing either; the caller tells the two apart.
WITH {{point_in_county}}, tag AS (
    -- tagged only when the pin lies in the workshop's municipality (its join link's area); such a
    -- pin's source is the workshop, any other's the resident's own device
    SELECT w.id FROM workshop w, area a WHERE w.id = CAST(:workshop_id AS integer) AND w.municipality_ags = a.ags
), inserted AS (
    INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here,
                     municipality_ags, district_id, workshop_id, edit_key_hash, source)
    SELECT :client_id, p.geom, :category, CAST(:dimensions AS text[]), :comment, :age_band, :years_here,
           a.ags, district_for_point(a.ags, p.geom), (SELECT id FROM tag), :edit_key_hash,
           CASE WHEN EXISTS (SELECT 1 FROM tag) THEN 'workshop' ELSE 'online' END
    FROM point p, area a
    ON CONFLICT (client_id) DO NOTHING
    {{pin_answer_returning}}
)
SELECT i.client_id, i.status, i.category, i.dimensions, i.created_at, i.location_precision,
       ST_Y(i.geom) AS lat, ST_X(i.geom) AS lon,
       i.municipality_ags, a.name AS municipality_name,
       d.id AS district_id, d.name AS district_name, d.approximate AS district_approximate
FROM inserted i
JOIN area a ON a.ags = i.municipality_ags
LEFT JOIN district d ON d.id = i.district_id
