-- Settings for one step of a refresh, for its transaction only (set_config(..., true)):
-- the big GROUP BYs (the filter cube: one group per cell, day and attributes, nearly a row per
-- pin at a million pins) and DBSCAN spill to disk at PostgreSQL's default 4 MB of work_mem, and
-- 256 MB keeps them in memory (measured: cube at 1M pins 38 -> 33 s). No JIT: PostGIS's cost
-- estimates put these statements far above jit_above_cost, and compiling them cost 1.4 s of a
-- 2.5 s cube at 100,000 pins (measured with the municipalities analysed).
SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)
