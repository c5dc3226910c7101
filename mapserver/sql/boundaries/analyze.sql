-- Fresh statistics once a county's boundaries are imported: autovacuum never analyses the
-- municipalities and districts (a county's few rows stay below its threshold), and without
-- statistics the planner misjudges every join of the pins with them (it expected 0.5 % of a
-- county's pins in its municipalities and sorted a million rows instead of hashing them).
ANALYZE municipality, district
