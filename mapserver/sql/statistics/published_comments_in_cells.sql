-- Approved comments of the pins in the given cells (only the shown states, vocabulary.SHOWN_PIN_STATUSES).
SELECT p.comment, p.category, p.created_at
FROM pin p
JOIN hex_cell c ON c.run_id = :run_id AND c.id = ANY(CAST(:cell_ids AS integer[])) AND ST_Covers(c.geom, p.geom)
WHERE p.status = ANY(CAST(:shown_statuses AS text[])) AND p.comment IS NOT NULL AND p.id <= :last_pin_id AND p.location_precision IN ('exact', 'grid')
  AND p.municipality_ags = :ags
ORDER BY p.created_at DESC
LIMIT :limit
