-- The filter cube of a run: every pin of the county up to the run's last pin, counted by
-- municipality, district, hexagon cell and each attribute a filter selects. Counted in numpy
-- from the refresh's one read of the pins (services/filter_cube.py) and staged as numbers
-- (create_cube_staging); here they become the cube's values again (0 for NULL, positions in
-- the vocabulary's lists). It fills the run's partition (create_pin_cube_partition), which has
-- no index yet: inserting into the indexed table of all runs cost 40 % more.
INSERT INTO pin_cube (run_id, municipality_ags, district_id, cell_id, category, dimension_mask,
                      age_band, years_here, created_on, pin_count)
SELECT :run_id, lpad(CAST(s.municipality AS text), 8, '0'), nullif(s.district_id, 0), nullif(s.cell_id, 0),
       (CAST(:categories AS text[]))[s.category], s.dimension_mask,
       (CAST(:age_bands AS text[]))[nullif(s.age_band, 0)], (CAST(:years_here_values AS text[]))[nullif(s.years_here, 0)],
       DATE '2000-01-01' + s.created_on, s.pin_count
FROM cube_staging s
