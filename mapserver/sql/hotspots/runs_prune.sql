-- Keep the latest few finished runs of the county and its latest public (released) one
-- (cascade removes their cells, statistics, clusters; their cube partitions go by
-- drop_orphan_pin_cubes after this). Unfinished runs belong to a refresh still at work
-- (refreshes hold a lock) or to one that died: only those older than a day go.
DELETE FROM aggregate_run
WHERE county_key = :county_key
  AND ((finished_at IS NOT NULL
        AND id NOT IN (SELECT id FROM aggregate_run WHERE county_key = :county_key AND finished_at IS NOT NULL
                       ORDER BY finished_at DESC LIMIT :keep)
        AND id IS DISTINCT FROM (SELECT id FROM aggregate_run WHERE county_key = :county_key
                                 AND released_at IS NOT NULL ORDER BY released_at DESC LIMIT 1))
       OR (finished_at IS NULL AND started_at < now() - INTERVAL '1 day'))
