-- Approved comments of one municipality's pins up to a run (only the shown states,
-- vocabulary.SHOWN_PIN_STATUSES), newest first, with their category: the report quotes them
-- without a place (the hotspots' own comments stand with their hotspot).
SELECT p.comment, p.category, p.created_at
FROM pin p
WHERE p.municipality_ags = :ags AND p.status = ANY(CAST(:shown_statuses AS text[])) AND p.comment IS NOT NULL
  AND p.id <= :last_pin_id
ORDER BY p.created_at DESC, p.id DESC
LIMIT :limit
