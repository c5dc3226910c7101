-- The planner's filters on a row q with category, dimension_mask, created_on (the local day),
-- age_band, years_here and source: a pin_cube row, or a pin (exports/pins.sql). NULL parameter: no filter
-- on that attribute.
((CAST(:categories AS text[]) IS NULL OR q.category = ANY(CAST(:categories AS text[])))
AND (CAST(:dimension_mask AS integer) IS NULL OR q.dimension_mask & CAST(:dimension_mask AS integer) <> 0)
AND (CAST(:date_from AS date) IS NULL OR q.created_on >= CAST(:date_from AS date))
AND (CAST(:date_to AS date) IS NULL OR q.created_on <= CAST(:date_to AS date))
AND (CAST(:age_bands AS text[]) IS NULL OR q.age_band = ANY(CAST(:age_bands AS text[])))
AND (CAST(:years_here AS text[]) IS NULL OR q.years_here = ANY(CAST(:years_here AS text[])))
AND (CAST(:pin_sources AS text[]) IS NULL OR q.source = ANY(CAST(:pin_sources AS text[]))))
