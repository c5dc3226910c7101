-- Keep the latest few runs of the county (cascade removes their cells, statistics, clusters, cube).
DELETE FROM aggregate_run
WHERE county_key = :county_key AND id NOT IN (
    SELECT id FROM aggregate_run WHERE county_key = :county_key AND finished_at IS NOT NULL
    ORDER BY finished_at DESC LIMIT :keep)
