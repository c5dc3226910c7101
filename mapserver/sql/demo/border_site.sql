-- Where a demo cluster is planted on the border of two municipalities: the point of their common
-- border nearest to the midpoint of two Ortsteile (one on each side), in metres. The second
-- municipality is buffered by 1 m so the common border stays a line where the two outlines do
-- not share their vertices exactly. No common border: no row.
WITH first AS (
    SELECT ST_Transform(geom, :metric_srid) AS geom FROM municipality WHERE ags = :first_ags
), second AS (
    SELECT ST_Transform(geom, :metric_srid) AS geom FROM municipality WHERE ags = :second_ags
), midpoint AS (
    SELECT ST_Centroid(ST_Collect(ST_Transform(coalesce(d.centre, ST_PointOnSurface(d.geom)), :metric_srid))) AS geom
    FROM district d
    WHERE (d.municipality_ags = :first_ags AND d.name = :first_ortsteil)
       OR (d.municipality_ags = :second_ags AND d.name = :second_ortsteil)
    HAVING count(*) = 2
), border AS (
    SELECT ST_Intersection(ST_Boundary(f.geom), ST_Buffer(s.geom, 1)) AS geom FROM first f, second s
)
SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y
FROM (SELECT ST_ClosestPoint(b.geom, m.geom) AS geom FROM border b, midpoint m WHERE NOT ST_IsEmpty(b.geom)) AS p
