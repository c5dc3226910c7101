-- Store one paper questionnaire as a pin, typed in by staff: placed and resolved as a pin from
-- the map (sql/pins/insert.sql), at its grid field's centre (location_precision 'grid': in cells
-- and hotspots, in no dense cluster), source 'paper', no private edit link (the resident has none).
-- Tagged with the workshop only when the point lies in the workshop's municipality. A point that
-- no municipality of the county covers inserts nothing.
WITH {{point_in_county}}
INSERT INTO pin (client_id, geom, category, dimensions, comment, age_band, years_here,
                 municipality_ags, district_id, workshop_id, source, location_precision)
SELECT gen_random_uuid(), p.geom, :category, CAST(:dimensions AS text[]), :comment, :age_band, :years_here,
       a.ags, district_for_point(a.ags, p.geom),
       (SELECT w.id FROM workshop w WHERE w.id = CAST(:workshop_id AS integer) AND w.municipality_ags = a.ags),
       'paper', 'grid'
FROM point p, area a
RETURNING id, municipality_ags, district_id
