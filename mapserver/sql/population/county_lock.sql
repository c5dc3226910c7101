-- Taken first in the transaction of import-population: a second import of the same county waits
-- here until the first has committed and then replaces its grid, instead of both deleting the old
-- grid and adding theirs side by side. FOR NO KEY UPDATE, not FOR UPDATE: pins, municipalities and
-- hotspot runs that merely reference the county (FOR KEY SHARE) are not held up meanwhile.
SELECT key FROM county WHERE key = :county_key FOR NO KEY UPDATE
