-- The filter cube of a run: every pin of the county up to the run's last pin, counted by
-- municipality, district, hexagon cell and each attribute a filter selects. The cell comes by
-- arithmetic (fragment hex_cell: no spatial join); dimensions become a bit mask. A pin placed at
-- its district's centre (location_precision 'district') counts for its district, in no cell.
--
-- The statement returns what the scan statistic needs from the same pass over the pins: every
-- cell part of the run with its pins per category (one row per part and category; a part
-- without pins once, with category NULL and zero), with its area share for the baseline. The
-- scan needs the empty cells as much as the full ones.
WITH bits AS (
    SELECT code, bit FROM unnest(CAST(:dimension_codes AS text[]), CAST(:dimension_bits AS integer[])) AS b(code, bit)
), pins AS (
    SELECT p.municipality_ags, p.district_id, p.category, p.age_band, p.years_here,
           CAST(p.created_at AT TIME ZONE :time_zone AS date) AS created_on,
           (SELECT coalesce(sum(b.bit), 0) FROM bits b WHERE b.code = ANY(p.dimensions)) AS dimension_mask,
           CASE WHEN p.location_precision = 'exact' THEN cell.i END AS i,
           CASE WHEN p.location_precision = 'exact' THEN cell.j END AS j
    FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    CROSS JOIN LATERAL (SELECT ST_X(t.geom) AS x, ST_Y(t.geom) AS y
                        FROM (SELECT ST_Transform(p.geom, :metric_srid) AS geom) AS t OFFSET 0) AS metric
    {{hex_cell}}
    WHERE p.id <= :last_pin_id
), inserted AS (
    INSERT INTO pin_cube (run_id, municipality_ags, district_id, cell_id, category, dimension_mask,
                          age_band, years_here, created_on, pin_count)
    SELECT :run_id, pins.municipality_ags, pins.district_id, c.id, pins.category, pins.dimension_mask,
           pins.age_band, pins.years_here, pins.created_on, count(*)
    FROM pins
    LEFT JOIN hex_cell c ON c.run_id = :run_id AND c.municipality_ags = pins.municipality_ags
                        AND c.i = pins.i AND c.j = pins.j
    GROUP BY 2, 3, 4, 5, 6, 7, 8, 9
    RETURNING cell_id, category, pin_count
), cell_counts AS (
    SELECT cell_id, category, sum(pin_count) AS pin_count FROM inserted WHERE cell_id IS NOT NULL GROUP BY 1, 2
)
SELECT c.id, c.municipality_ags, c.i, c.j, c.area_share, cell_counts.category,
       coalesce(cell_counts.pin_count, 0) AS pin_count
FROM hex_cell c
LEFT JOIN cell_counts ON cell_counts.cell_id = c.id
WHERE c.run_id = :run_id
ORDER BY c.id
