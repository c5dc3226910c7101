-- The latest finished run whose grid this run may copy: same county, cell size and boundaries
-- (digest of every municipality's geometry), so its cells and their area shares are the same.
SELECT r.id
FROM aggregate_run r
WHERE r.county_key = :county_key AND r.finished_at IS NOT NULL AND r.cell_size_m = :cell_size_m
  AND r.boundaries_digest = :boundaries_digest AND r.id <> :run_id
ORDER BY r.finished_at DESC
LIMIT 1
