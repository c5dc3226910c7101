-- A municipality with at most one Ortsteil point is one district: its whole area.
SELECT CAST(:name AS text) AS name, ST_AsBinary(geom) AS wkb,
       CAST(:lon AS float8) AS lon, CAST(:lat AS float8) AS lat
FROM municipality WHERE ags = :ags
