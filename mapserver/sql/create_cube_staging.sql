-- The run's cube as numbers (filter_cube.count), copied in by db.copy_columns_in; gone at commit.
CREATE TEMPORARY TABLE cube_staging (
    municipality integer, district_id integer, cell_id integer, category integer, dimension_mask integer,
    age_band integer, years_here integer, created_on integer, pin_count integer
) ON COMMIT DROP
