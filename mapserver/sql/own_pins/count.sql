-- How many pins a resident's edit link still has.
SELECT count(*) FROM pin WHERE edit_key_hash = :edit_key_hash
