-- Now that no pin points to them, the stale districts go.
DELETE FROM district
WHERE municipality_ags = :ags AND NOT (id = ANY(CAST(:keep_ids AS integer[])))
