SELECT count(*) FROM pin_cluster WHERE run_id = :run_id
