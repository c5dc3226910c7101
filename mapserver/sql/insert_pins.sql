-- Store pins sent at the same time, in one statement, and resolve each one's municipality and
-- district in it, so the areas are fixed at insert time (aggregation later is a plain GROUP BY)
-- and the answers need no second round trip. The pins come as one JSON array of objects (one
-- parameter, whatever their number); a pin's `position` in it (from 1) tells the caller whose
-- row is whose. A point that no municipality of the configured county covers inserts
-- nothing; a client id stored already (a retry) inserts nothing either, and of two pins with one
-- id in the same statement only the first inside the county is stored; the caller tells these apart.
WITH sent AS (
    SELECT e.position, s.*, ST_SetSRID(ST_MakePoint(s.lon, s.lat), :storage_srid) AS geom
    FROM jsonb_array_elements(CAST(:pins AS jsonb)) WITH ORDINALITY AS e(pin, position)
    CROSS JOIN LATERAL jsonb_to_record(e.pin)
         AS s(client_id uuid, lat double precision, lon double precision, category text, dimensions text[],
              comment text, age_band text, years_here text, workshop_id integer, edit_key_hash bytea)
), placed AS (
    SELECT s.*, m.ags, m.name AS municipality_name
    FROM sent s
    CROSS JOIN LATERAL (
        SELECT m.ags, m.name FROM municipality m
        WHERE m.county_key = :county_key AND ST_Covers(m.geom, s.geom)
        ORDER BY m.ags LIMIT 1
    ) m
), first_placed AS (
    SELECT DISTINCT ON (client_id) * FROM placed ORDER BY client_id, position
), inserted AS (
    INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here,
                     municipality_ags, district_id, workshop_id, edit_key_hash)
    SELECT s.client_id, s.geom, s.category, s.dimensions, s.comment, s.age_band, s.years_here,
           s.ags, district_for_point(s.ags, s.geom),
           -- tagged only when the pin lies in the workshop's municipality (its join link's area)
           (SELECT w.id FROM workshop w WHERE w.id = s.workshop_id AND w.municipality_ags = s.ags),
           s.edit_key_hash
    FROM first_placed s
    ON CONFLICT (client_id) DO NOTHING
    RETURNING client_id, status, category, dimensions, created_at, geom, municipality_ags, district_id,
              location_precision
)
SELECT s.position, i.client_id, i.status, i.category, i.dimensions, i.created_at, i.location_precision,
       ST_Y(i.geom) AS lat, ST_X(i.geom) AS lon,
       i.municipality_ags, s.municipality_name,
       d.id AS district_id, d.name AS district_name, d.approximate AS district_approximate
FROM inserted i
JOIN first_placed s ON s.client_id = i.client_id
LEFT JOIN district d ON d.id = i.district_id
