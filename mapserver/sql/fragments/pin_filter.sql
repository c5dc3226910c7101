-- The same filters on a pin row p, for exports of single pins.
((CAST(:categories AS text[]) IS NULL OR p.category = ANY(CAST(:categories AS text[])))
AND (CAST(:dimensions AS text[]) IS NULL OR p.dimensions && CAST(:dimensions AS text[]))
AND (CAST(:date_from AS date) IS NULL OR CAST(p.created_at AT TIME ZONE :time_zone AS date) >= CAST(:date_from AS date))
AND (CAST(:date_to AS date) IS NULL OR CAST(p.created_at AT TIME ZONE :time_zone AS date) <= CAST(:date_to AS date))
AND (CAST(:age_bands AS text[]) IS NULL OR p.age_band = ANY(CAST(:age_bands AS text[])))
AND (CAST(:years_here AS text[]) IS NULL OR p.years_here = ANY(CAST(:years_here AS text[]))))
