-- The Ortsteile of a municipality that a hotspot of a run reaches into: an idea keyed in on the
-- projected hotspot is filed under them (its area stays the hotspot's outline, ideas/insert.sql).
SELECT d.id
FROM district d JOIN hotspot h ON h.run_id = :run_id AND h.id = :hotspot_id
WHERE d.municipality_ags = :ags AND ST_Intersects(d.geom, h.geom)
ORDER BY d.id
