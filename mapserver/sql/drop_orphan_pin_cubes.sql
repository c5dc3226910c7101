-- After runs are removed: drop the cube partitions whose runs are gone (migration 0008).
SELECT drop_orphan_pin_cubes()
