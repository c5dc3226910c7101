-- Districts of a municipality that the latest import no longer has. Their pins are detached
-- first (and re-assigned right after by reassign_pins), so no pin ever points to a deleted row.
WITH stale AS (
    SELECT id FROM district
    WHERE municipality_ags = :ags AND NOT (id = ANY(CAST(:keep_ids AS integer[])))
)
UPDATE pin SET district_id = NULL WHERE district_id IN (SELECT id FROM stale)
