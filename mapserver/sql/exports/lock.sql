-- Planner exports take turns across the whole server (planner/export_process.py); released when
-- the export's transaction ends.
SELECT pg_advisory_xact_lock(hashtext('glaswaende-exports'))
