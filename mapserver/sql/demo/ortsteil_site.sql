-- Where a demo cluster is planted at an Ortsteil: its centre point (geodata ortsteile.csv, via
-- import-boundaries), in metres. An imported official district may have no centre point; a
-- point inside its polygon stands in.
SELECT ST_X(s.geom) AS x, ST_Y(s.geom) AS y
FROM (SELECT ST_Transform(coalesce(d.centre, ST_PointOnSurface(d.geom)), :metric_srid) AS geom
      FROM district d
      WHERE d.municipality_ags = :ags AND d.name = :name) AS s
