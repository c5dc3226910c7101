-- The comments of one page of the moderation queue (their ids chosen by the service from
-- moderation/queue_candidates), with their pin's place.
SELECT p.id, p.comment, md5(p.comment) AS digest, p.status, p.category, p.dimensions, p.created_at,
       ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
       p.municipality_ags, m.name AS municipality_name, d.name AS district_name, w.title AS workshop_title
FROM pin p
JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
LEFT JOIN district d ON d.id = p.district_id
LEFT JOIN workshop w ON w.id = p.workshop_id
WHERE p.id = ANY(CAST(:ids AS bigint[]))
  AND p.comment ~ '[^[:space:]]'
