-- Where a local actor lies, resolved in one round trip as a pin is: the municipality named (by AGS
-- or by name, any case), the county's municipality covering the point (none outside the county),
-- the Ortsteil named (by id or name) in the municipality named or else the point's, and the
-- Ortsteil covering the point. The caller compares them and refuses what does not fit, in German.
WITH point AS (
    SELECT ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)),
                      :storage_srid) AS geom
), named AS (
    SELECT m.ags, m.name FROM municipality m
    WHERE m.county_key = :county_key
      AND (m.ags = CAST(:municipality AS text) OR lower(m.name) = lower(CAST(:municipality AS text)))
    ORDER BY m.ags LIMIT 1
), covering AS (
    SELECT m.ags, m.name FROM municipality m, point p
    WHERE p.geom IS NOT NULL AND m.county_key = :county_key AND ST_Covers(m.geom, p.geom)
    ORDER BY m.ags LIMIT 1
)
SELECT (SELECT ags FROM named) AS named_ags,
       (SELECT ags FROM covering) AS point_ags,
       (SELECT name FROM covering) AS point_name,
       (SELECT d.id FROM district d
        WHERE d.municipality_ags = COALESCE((SELECT ags FROM named), (SELECT ags FROM covering))
          AND (d.id = CAST(:district_id AS integer) OR lower(d.name) = lower(CAST(:district_name AS text)))
        ORDER BY d.id LIMIT 1) AS named_district_id,
       (SELECT district_for_point(c.ags, p.geom) FROM covering c, point p) AS point_district_id
