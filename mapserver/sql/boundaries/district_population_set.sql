-- Inhabitants of one district from the county's geodata (for pins per 1,000 inhabitants by district).
UPDATE district SET population = :population
WHERE municipality_ags = :ags AND name = :name AND population IS DISTINCT FROM :population
