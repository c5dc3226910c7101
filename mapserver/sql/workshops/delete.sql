-- Pins sent through its link stay (workshop_id becomes NULL): they are residents' pins.
DELETE FROM workshop WHERE id = :id
