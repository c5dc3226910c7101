-- Whether a project's choices exist and fit its municipality, counted in one round trip: the
-- municipality in the county; each idea published and of that municipality (a hidden or pending
-- idea, or one of another municipality, is not counted, so the caller's count tells); each
-- district in the municipality; each partner a local actor of the municipality; the responsible
-- account an active coordinator or admin.
SELECT
    EXISTS (SELECT 1 FROM municipality WHERE ags = :municipality_ags AND county_key = :county_key) AS municipality_known,
    (SELECT count(*) FROM idea
     WHERE id = ANY (CAST(:idea_ids AS integer[])) AND county_key = :county_key
       AND municipality_ags = :municipality_ags AND status = 'published') AS ideas_known,
    (SELECT count(*) FROM district
     WHERE id = ANY (CAST(:district_ids AS integer[])) AND municipality_ags = :municipality_ags) AS districts_known,
    (SELECT count(*) FROM local_actor
     WHERE id = ANY (CAST(:actor_ids AS integer[])) AND county_key = :county_key
       AND municipality_ags = :municipality_ags) AS actors_known,
    (CAST(:responsible_id AS integer) IS NULL OR EXISTS (
        SELECT 1 FROM account WHERE id = CAST(:responsible_id AS integer) AND active
          AND roles && ARRAY['coordinator', 'admin']::text[])) AS responsible_known
