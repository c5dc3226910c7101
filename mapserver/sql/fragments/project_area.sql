-- A CTE `area`: a project's area from what it is made of (:idea_ids, :district_ids of
-- :municipality_ags): the union of its ideas' areas (each a hotspot outline or districts as they
-- were then) and its Ortsteile's outlines; none when neither has one. The one rule for making it
-- (projects/insert, projects/update) and for rebuilding it (results/area_counts_of_sources).
area AS (
    SELECT ST_Multi(ST_CollectionExtract(ST_Union(geom), 3)) AS geom FROM (
        SELECT area AS geom FROM idea
        WHERE id = ANY (CAST(:idea_ids AS integer[])) AND municipality_ags = :municipality_ags AND area IS NOT NULL
        UNION ALL
        SELECT geom FROM district
        WHERE id = ANY (CAST(:district_ids AS integer[])) AND municipality_ags = :municipality_ags
    ) AS parts
)
