-- The refresh's snapshot of the pins, exported so the cube, DBSCAN and the scan statistic (three
-- connections at once) all read the very same pins: a pin committed late, changed or deleted by
-- its resident in between would otherwise be in one and not another.
SELECT pg_export_snapshot()
