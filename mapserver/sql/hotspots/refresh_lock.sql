-- One hotspot refresh at a time per county (held by the refresh's connection until it ends).
SELECT pg_advisory_lock(hashtext('glaswaende-refresh-' || :county_key))
