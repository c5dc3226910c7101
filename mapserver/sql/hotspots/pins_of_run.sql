-- The run's pins as numbers, for db.fetch_columns: the refresh reads the pins once and derives
-- the scan statistic's cell counts, DBSCAN and the filter cube from this one read
-- (services/hotspots.py, filter_cube.py), in :halves parts read at once (pins whose id leaves
-- the remainder :half), so that each core reads as many pins whatever their ids.
-- Five numbers a pin (each column costs 0.1 s a million pins to send, so the small ones share
-- two; hotspots.unpack_pins takes them apart): `place` is the AGS as an integer (all eight of its
-- characters are digits) times 2^32 plus the district id (0 for none); `attributes` holds in 4
-- bits each the 1-based positions of category, age band and years here in the vocabulary's
-- lists (0 for none; a value outside the lists makes it NULL, which the read refuses rather than
-- count it as none), then 1 bit `in_cells` (1 for a pin set on the map or in a paper sheet's grid
-- field, 0 for one at its district's centre: in no cell), then the dimension mask in 6 bits, then
-- in 2 bits the 1-based position of the pin's source (online, workshop, paper), then 1 bit `exact`
-- (set on the map: only these are clustered; a stack of sheets for one grid field is no
-- cluster). The moment as it is (its local
-- day is counted in numpy: AT TIME ZONE cost half a second a million pins); the metric place and
-- the dimension mask are the pin's generated columns (migration 0008); the record key is the
-- cell key method's (migration 0009).
SELECT CAST(p.municipality_ags AS bigint) * 4294967296 + coalesce(p.district_id, 0) AS place,
       array_position(CAST(:categories AS text[]), p.category)
       + 16 * CASE WHEN p.age_band IS NULL THEN 0 ELSE array_position(CAST(:age_bands AS text[]), p.age_band) END
       + 256 * CASE WHEN p.years_here IS NULL THEN 0 ELSE array_position(CAST(:years_here_values AS text[]), p.years_here) END
       + 4096 * CASE WHEN p.location_precision IN ('exact', 'grid') THEN 1 ELSE 0 END
       + 8192 * p.dimension_mask
       + 524288 * array_position(CAST(:sources AS text[]), p.source)
       + 2097152 * CASE WHEN p.location_precision = 'exact' THEN 1 ELSE 0 END AS attributes,
       p.created_at, p.metric_x, p.metric_y, p.record_key
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
WHERE p.id <= :last_pin_id AND p.id % :halves = :half
