-- Published ideas that have no published answer yet, oldest first (the coordinators' backlog),
-- with the total beside each row (one round trip for the count and the short list).
SELECT i.id, i.title, i.municipality_ags, m.name AS municipality_name, i.created_at, count(*) OVER () AS total
FROM idea i
JOIN municipality m ON m.ags = i.municipality_ags
WHERE i.county_key = :county_key AND i.status = 'published'
  AND NOT EXISTS (SELECT 1 FROM idea_answer a WHERE a.idea_id = i.id AND a.published_at IS NOT NULL)
ORDER BY i.created_at, i.id
LIMIT :limit
