-- The workshop's newest pins for the room's arrival pulse (services/workshops.live_arrivals):
-- how many it has, and for each of the newest its district, named only where that district
-- holds at least :k pins in all (any source), else NULL (the pulse is then the municipality's).
WITH recent AS (
    SELECT p.id, p.district_id FROM pin p
    WHERE p.workshop_id = :workshop_id
    ORDER BY p.id DESC
    LIMIT :limit
)
SELECT r.id,
       CASE WHEN r.district_id IS NOT NULL
                 -- counted up to k only: the room polls every 1.5 s
                 AND (SELECT count(*) FROM (SELECT 1 FROM pin q WHERE q.district_id = r.district_id LIMIT :k) AS c) >= :k
            THEN r.district_id END AS district_id
FROM recent r
ORDER BY r.id DESC
