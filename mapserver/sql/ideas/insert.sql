-- A new idea. Its area is kept as it was when the idea was made: the outline of the hotspot it
-- answers (of that run; runs are replaced later), or else the union of its districts; none when it
-- names neither. A hotspot or district of another municipality or run is refused by the caller
-- (the idea then finds no row here and the count of areas found tells it).
WITH hotspot_area AS (
    SELECT ST_Multi(geom) AS area FROM hotspot
    WHERE run_id = CAST(:hotspot_run_id AS integer) AND id = CAST(:hotspot_id AS integer)
), district_area AS (
    SELECT ST_Multi(ST_Union(geom)) AS area FROM district
    WHERE id = ANY (CAST(:district_ids AS integer[])) AND municipality_ags = :municipality_ags
)
INSERT INTO idea (county_key, municipality_ags, district_ids, title, body, dimensions, source, workshop_id,
                  hotspot_run_id, hotspot_id, area, status, created_by)
VALUES (:county_key, :municipality_ags, CAST(:district_ids AS integer[]), :title, :body,
        CAST(:dimensions AS text[]), :source, :workshop_id, :hotspot_run_id, :hotspot_id,
        COALESCE((SELECT area FROM hotspot_area), (SELECT area FROM district_area)), :status, :created_by)
RETURNING id, status, created_at
