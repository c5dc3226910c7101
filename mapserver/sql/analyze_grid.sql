-- Fresh statistics for the grid a run just wrote: the cube joins it cell by cell.
ANALYZE hex_cell
