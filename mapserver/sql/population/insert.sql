-- The file's points, already in storage CRS and narrowed to the county's bounding box, arrive as
-- three parallel arrays: one statement and one round trip for a few hundred thousand points, where
-- a row-at-a-time INSERT would pay a round trip for each. Only points the county covers are kept:
-- ST_Covers as for pins, so a point on the county boundary is inside. The county outline is the
-- same geometry for every point, so PostGIS prepares it once and tests each point against that.
-- The count and the inhabitants returned are those actually stored, for the summary.
WITH kept AS (
    INSERT INTO population_cell (county_key, inhabitants, geom)
    SELECT c.key, p.inhabitants, p.geom
    FROM (
        SELECT u.inhabitants, ST_SetSRID(ST_MakePoint(u.lon, u.lat), :storage_srid) AS geom
        FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[]), CAST(:inhabitants AS float8[]))
             AS u (lon, lat, inhabitants)
    ) AS p
    JOIN county c ON c.key = :county_key AND ST_Covers(c.geom, p.geom)
    RETURNING inhabitants
)
SELECT count(*) AS points, coalesce(sum(inhabitants), 0) AS inhabitants FROM kept
