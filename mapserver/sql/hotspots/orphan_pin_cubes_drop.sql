-- After runs are removed, in a short transaction of its own: drop the cube partitions whose
-- runs are gone (migration 0008; it waits at most 2 s for readers of pin_cube).
SELECT drop_orphan_pin_cubes()
