-- Fresh statistics for the rows this run just wrote: without them the planner expects one row
-- per run and loops (seconds instead of milliseconds on the next statements).
ANALYZE hex_cell, pin_cube
