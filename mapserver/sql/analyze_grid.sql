-- Fresh statistics for the grid a run just wrote: the cube joins it cell by cell. And for the
-- municipalities, which autovacuum never analyses (a county's few rows stay below its
-- threshold): without them the planner expects 0.5 % of the pins and sorts a million rows to
-- group them (6 s) instead of hashing them.
ANALYZE hex_cell, municipality
