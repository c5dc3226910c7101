-- Delete the optional self-description (age band, years here) of the county's pins sent up to
-- the end of the campaign; the pins themselves stay. :dry_run only counts.
WITH due AS (
    SELECT p.id FROM pin p
    JOIN municipality m ON m.ags = p.municipality_ags AND m.county_key = :county_key
    WHERE (p.age_band IS NOT NULL OR p.years_here IS NOT NULL) AND p.created_at < :sent_before
), purged AS (
    UPDATE pin p SET age_band = NULL, years_here = NULL
    FROM due d WHERE p.id = d.id AND NOT :dry_run
    RETURNING p.id
)
SELECT (SELECT count(*) FROM due) AS due, (SELECT count(*) FROM purged) AS purged
