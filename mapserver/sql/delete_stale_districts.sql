-- Districts of a municipality that the latest import no longer has (run after pins are reassigned).
DELETE FROM district
WHERE municipality_ags = :ags AND NOT (id = ANY(CAST(:keep_ids AS integer[])))
