-- A resident changes their own pin. A changed comment goes back to the moderation queue; an
-- unchanged one keeps its status.
UPDATE pin
SET category = :category, dimensions = CAST(:dimensions AS text[]), comment = :comment,
    age_band = :age_band, years_here = :years_here,
    status = CASE WHEN comment IS DISTINCT FROM :comment THEN :initial_status ELSE status END
WHERE edit_key_hash = :edit_key_hash AND client_id = :client_id
RETURNING client_id
