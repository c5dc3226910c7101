-- Fresh statistics for the rows this run just wrote (hex_cell before the cube is built from it,
-- pin_cube before it is read): without them the planner expects one row and loops, seconds
-- instead of milliseconds.
ANALYZE hex_cell, pin_cube
