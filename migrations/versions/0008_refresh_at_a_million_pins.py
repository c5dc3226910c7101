"""A refresh at a million pins in under ten seconds.

1. Each pin carries what every refresh derived from it again: its place in the metric CRS
   (EPSG:25832, the hexagon grid's and DBSCAN's) and its dimensions as the cube's bit mask.
   Stored generated columns, so every way a pin is written (the API, the district fallback,
   the demo, an import, a move on "Meine Pins") keeps them right without repeating the
   expressions. At a million pins the refresh spent 1.5 s on the projection and 1.1 s on the
   mask per pass over the pins. The mask's bits are the vocabulary's (mapserver/vocabulary.py
   DIMENSION_BITS, one bit per dimension in its order); a new dimension needs a migration that
   adds its bit here.

2. The filter cube is partitioned by run: each run's cube is a table of its own
   (pin_cube_<run id>), created and attached empty when the run starts, filled without an index
   and indexed once full, and dropped with its run. Inserting ~900,000 cube rows into the one
   indexed table that also held the older runs took 9 s, into a table of its own 5.4 s plus
   0.9 s for its index; removing a run's cube was a DELETE of as many rows, now a DROP.
   The functions below are the only place that names partitions.

3. The municipalities and districts analysed: autovacuum never does (a county's few rows), and
   without statistics the planner sorted a million pins to join them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

METRIC_SRID = 25832
DIMENSION_BITS = {"social": 1, "generations": 2, "origin": 4, "income": 8, "mobility": 16, "other": 32}

CUBE_COLUMNS = """
    run_id integer NOT NULL,
    municipality_ags varchar(8) NOT NULL,
    district_id integer,
    cell_id integer,
    category text NOT NULL,
    dimension_mask integer NOT NULL,
    age_band text,
    years_here text,
    created_on date NOT NULL,
    pin_count integer NOT NULL
"""

PARTITION_FUNCTIONS = """
-- A run's cube partition: created empty and attached at once (attaching takes only a SHARE
-- UPDATE EXCLUSIVE lock on pin_cube: readers go on), indexed once filled.
CREATE FUNCTION create_pin_cube_partition(run integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE pin_cube, CONSTRAINT %I CHECK (run_id = %s))',
                   'pin_cube_' || run, 'pin_cube_' || run || '_run', run);
    EXECUTE format('ALTER TABLE pin_cube ATTACH PARTITION %I FOR VALUES IN (%s)', 'pin_cube_' || run, run);
END $$;

CREATE FUNCTION index_pin_cube_partition(run integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE INDEX %I ON %I (municipality_ags)', 'pin_cube_' || run || '_municipality_idx',
                   'pin_cube_' || run);
END $$;

-- Every cube partition whose run is gone (pruned, failed, removed by the demo), attached or
-- not; the number dropped. Dropping an attached partition locks pin_cube until commit, for
-- readers too: the caller commits at once, and this waits at most 2 s for running readers
-- (lock_timeout) before it gives up; what it leaves goes next time.
CREATE FUNCTION drop_orphan_pin_cubes() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    orphan record;
    dropped integer := 0;
BEGIN
    PERFORM set_config('lock_timeout', '2s', true);
    FOR orphan IN
        SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
          AND c.relname ~ '^pin_cube_[0-9]+$'
          AND NOT EXISTS (SELECT 1 FROM aggregate_run r WHERE 'pin_cube_' || r.id = c.relname)
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I', orphan.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;
"""


def dimension_mask_expression(bits: dict[str, int]) -> str:
    return " + ".join(f"CASE WHEN '{code}' = ANY (dimensions) THEN {bit} ELSE 0 END" for code, bit in bits.items())


def upgrade() -> None:
    # One ALTER TABLE: the table is rewritten once for all three columns.
    op.execute(f"""
        ALTER TABLE pin
            ADD COLUMN metric_x double precision GENERATED ALWAYS AS (ST_X(ST_Transform(geom, {METRIC_SRID}))) STORED,
            ADD COLUMN metric_y double precision GENERATED ALWAYS AS (ST_Y(ST_Transform(geom, {METRIC_SRID}))) STORED,
            ADD COLUMN dimension_mask integer GENERATED ALWAYS AS ({dimension_mask_expression(DIMENSION_BITS)}) STORED
    """)
    op.execute("ALTER TABLE pin_cube RENAME TO pin_cube_unpartitioned")
    op.execute("ALTER INDEX pin_cube_run_idx RENAME TO pin_cube_unpartitioned_run_idx")
    op.execute(f"CREATE TABLE pin_cube ({CUBE_COLUMNS}) PARTITION BY LIST (run_id)")
    op.execute(PARTITION_FUNCTIONS)
    op.execute("""
        DO $$
        DECLARE run integer;
        BEGIN
            FOR run IN SELECT id FROM aggregate_run WHERE id IN (SELECT DISTINCT run_id FROM pin_cube_unpartitioned) LOOP
                PERFORM create_pin_cube_partition(run);
                INSERT INTO pin_cube SELECT * FROM pin_cube_unpartitioned WHERE run_id = run;
                PERFORM index_pin_cube_partition(run);
            END LOOP;
        END $$
    """)
    op.execute("DROP TABLE pin_cube_unpartitioned")
    # Boundaries imported before now were never analysed (imports analyse them from now on).
    op.execute("ANALYZE municipality, district")


def downgrade() -> None:
    op.execute(f"CREATE TABLE pin_cube_unpartitioned ({CUBE_COLUMNS})")
    op.execute("INSERT INTO pin_cube_unpartitioned SELECT * FROM pin_cube")
    op.execute("""
        DO $$
        DECLARE part record;
        BEGIN
            FOR part IN SELECT c.relname FROM pg_class c
                        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
                          AND c.relname ~ '^pin_cube_[0-9]+$' LOOP
                EXECUTE format('DROP TABLE %I', part.relname);
            END LOOP;
        END $$
    """)
    op.execute("DROP TABLE pin_cube")
    op.execute("DROP FUNCTION create_pin_cube_partition(integer), index_pin_cube_partition(integer), drop_orphan_pin_cubes()")
    op.execute("ALTER TABLE pin_cube_unpartitioned RENAME TO pin_cube")
    op.execute("CREATE INDEX pin_cube_run_idx ON pin_cube (run_id, municipality_ags)")
    op.execute("ALTER TABLE pin DROP COLUMN metric_x, DROP COLUMN metric_y, DROP COLUMN dimension_mask")
