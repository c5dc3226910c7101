-- The filter cube of stored runs counts pins by age band and years here too: fold those counts
-- together as well, so no stored run can still break pins down by self-description. (Sums stay
-- right; the cube has no unique key.)
UPDATE pin_cube c SET age_band = NULL, years_here = NULL
FROM aggregate_run r
WHERE r.id = c.run_id AND r.county_key = :county_key AND (c.age_band IS NOT NULL OR c.years_here IS NOT NULL)
