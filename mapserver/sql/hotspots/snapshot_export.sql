-- The refresh's snapshot of the pins, exported so that every connection of the refresh reads the
-- very same pins (the two halves of the read, the cell parts, the population grid): a pin
-- committed late, changed or deleted by its resident in between would otherwise be in one and
-- not another.
SELECT pg_export_snapshot()
