-- How many pins the workshop has received (the room's arrival counter).
SELECT count(*) FROM pin WHERE workshop_id = :workshop_id
