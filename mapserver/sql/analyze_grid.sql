-- Fresh statistics for the grid a run just wrote, and for the municipalities, which autovacuum
-- never analyses (a county's few rows stay below its threshold): the pages' statements join
-- both, and without statistics the planner misjudges every join with the municipalities (it
-- expected 0.5 % of the pins of the county and sorted a million rows instead of hashing them).
ANALYZE hex_cell, municipality
