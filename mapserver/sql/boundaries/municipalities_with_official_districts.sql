-- Municipalities whose districts were imported from official polygons: the Voronoi
-- approximation must not overwrite them.
SELECT DISTINCT municipality_ags FROM district WHERE NOT approximate
