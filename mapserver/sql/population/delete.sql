-- A county's grid is replaced as a whole: a file is the grid, not an update to it, so running the
-- same import twice leaves the same rows. It runs in the transaction of population_insert, so the
-- hotspot job reads the old grid or the new one, never neither and never both.
DELETE FROM population_cell WHERE county_key = :county_key
