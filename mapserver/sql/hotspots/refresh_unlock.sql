SELECT pg_advisory_unlock(hashtext('glaswaende-refresh-' || :county_key))
