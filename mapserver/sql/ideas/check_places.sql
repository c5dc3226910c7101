-- Whether an idea's places exist and fit: the municipality in the county, each district in that
-- municipality, and the hotspot (if named) in that run and touching the municipality.
SELECT
    EXISTS (SELECT 1 FROM municipality WHERE ags = :municipality_ags AND county_key = :county_key) AS municipality_known,
    (SELECT count(*) FROM district
     WHERE id = ANY (CAST(:district_ids AS integer[])) AND municipality_ags = :municipality_ags) AS districts_known,
    (CAST(:hotspot_id AS integer) IS NULL OR EXISTS (
        SELECT 1 FROM hotspot h JOIN municipality m ON m.ags = :municipality_ags
        WHERE h.run_id = CAST(:hotspot_run_id AS integer) AND h.id = CAST(:hotspot_id AS integer)
          AND ST_Intersects(h.geom, m.geom))) AS hotspot_known
