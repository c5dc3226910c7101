-- The ideas waiting for moderation, oldest first (flags put some first in review.py: the
-- queue is short, ideas come far more rarely than pins).
SELECT i.id, i.municipality_ags, m.name AS municipality_name, i.title, i.body, i.dimensions, i.source,
       i.workshop_id, i.created_at, md5(i.title || E'\n' || i.body) AS seen,
       COALESCE((SELECT array_agg(d.name ORDER BY d.name) FROM district d WHERE d.id = ANY (i.district_ids)),
                '{}') AS district_names
FROM idea i JOIN municipality m ON m.ags = i.municipality_ags
WHERE i.county_key = :county_key AND i.status = :initial_status
ORDER BY i.created_at, i.id
LIMIT :limit
