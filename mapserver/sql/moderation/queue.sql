-- Comments for the moderation queue, oldest first, with their pin's place; `total` counts all
-- that match the filters (before LIMIT).
SELECT p.id, p.comment, md5(p.comment) AS digest, p.status, p.category, p.dimensions, p.created_at,
       ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
       p.municipality_ags, m.name AS municipality_name, d.name AS district_name, w.title AS workshop_title,
       count(*) OVER () AS total
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
LEFT JOIN district d ON d.id = p.district_id
LEFT JOIN workshop w ON w.id = p.workshop_id
WHERE p.comment IS NOT NULL
  AND (CAST(:status AS text) IS NULL OR p.status = CAST(:status AS text))
  AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = CAST(:ags AS text))
  AND (CAST(:workshop_id AS integer) IS NULL OR p.workshop_id = CAST(:workshop_id AS integer))
ORDER BY p.created_at, p.id
LIMIT :limit OFFSET :offset
