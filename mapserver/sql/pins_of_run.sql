-- The run's pins with ids in (:after_pin_id, :up_to_pin_id] as numbers, for db.fetch_columns: the refresh reads
-- the pins once and derives the scan statistic's cell counts, DBSCAN and the filter cube from
-- this one read (services/hotspots.py, filter_cube.py). The AGS as an integer (all eight of its
-- characters are digits); category, age band and years here as 1-based positions in the
-- vocabulary's lists, 0 for none, like a district of 0; the moment as it is (its local day is
-- counted in numpy: AT TIME ZONE cost half a second a million pins); `exact` 1 for a pin set on the map, 0 for one at its district's
-- centre (in no cell, in no cluster). Place and dimension mask are the pin's generated columns
-- (migration 0008).
SELECT CAST(p.municipality_ags AS integer) AS municipality,
       coalesce(p.district_id, 0) AS district_id,
       CAST(array_position(CAST(:categories AS text[]), p.category) AS smallint) AS category,
       CAST(coalesce(array_position(CAST(:age_bands AS text[]), p.age_band), 0) AS smallint) AS age_band,
       CAST(coalesce(array_position(CAST(:years_here_values AS text[]), p.years_here), 0) AS smallint) AS years_here,
       p.created_at,
       p.dimension_mask,
       CAST(CASE WHEN p.location_precision = 'exact' THEN 1 ELSE 0 END AS smallint) AS exact,
       p.metric_x, p.metric_y
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
WHERE p.id > :after_pin_id AND p.id <= :up_to_pin_id
