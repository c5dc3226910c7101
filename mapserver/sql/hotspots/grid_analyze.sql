-- Fresh statistics for the grid a run just wrote: the hotspots' outlines and the cell
-- statistic's keys are looked up in it by run (without them storing a run took 0.6 s longer).
ANALYZE hex_cell
