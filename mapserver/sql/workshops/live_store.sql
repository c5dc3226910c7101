-- A new live snapshot for the room (services/workshops.live_state).
UPDATE workshop SET live_pin_count = :live_pin_count, live_view = CAST(:live_view AS jsonb) WHERE id = :workshop_id
