"""Disclosure control: record keys for the cell key method, public releases in batches.

1. Every pin gets a record key: a random whole number in [0, 2^31), drawn once when the pin is
   stored and never changed (the cell key method of Destatis' Zensus 2022: the key of a
   published number is the sum of its pins' record keys, modulo 2^31, so the same pins always
   get the same noise, however often and in whichever table they are asked for).
2. The filter cube, the dense clusters and the run (all its pins) carry the sum of their pins' record keys, so any
   published sum of cube rows has its key without reading the pins again.
3. A run is released to the public (released_at) only where the county has grown by a
   configured number of pins since the last released run, and not sooner than a configured time
   after it; public views read the latest released run, signed-in planners the latest run.
4. A workshop's live view for the room is a stored snapshot (live_view), taken anew only when
   the workshop's pins have grown by k since the last one (live_pin_count): deleting and posting
   again moves nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A volatile default: each existing pin draws a key of its own as the table is rewritten.
    op.execute("ALTER TABLE pin ADD COLUMN record_key integer NOT NULL "
               "DEFAULT floor(random() * 2147483648)::integer")
    op.execute("ALTER TABLE pin ADD CONSTRAINT pin_record_key_range CHECK (record_key >= 0)")
    op.execute("ALTER TABLE pin_cube ADD COLUMN key_sum bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE pin_cluster ADD COLUMN key_sum bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE aggregate_run ADD COLUMN released_at timestamptz")
    op.execute("ALTER TABLE aggregate_run ADD COLUMN key_sum bigint NOT NULL DEFAULT 0")
    op.execute("CREATE INDEX aggregate_run_released_idx ON aggregate_run (county_key, released_at)")
    op.execute("ALTER TABLE workshop ADD COLUMN live_pin_count integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE workshop ADD COLUMN live_view jsonb")
    # Runs computed before carry no key sums (0 would give every number the same noise): none
    # of them is released; the first refresh after the upgrade makes the public run.


def downgrade() -> None:
    op.execute("ALTER TABLE workshop DROP COLUMN live_view")
    op.execute("ALTER TABLE workshop DROP COLUMN live_pin_count")
    op.execute("DROP INDEX aggregate_run_released_idx")
    op.execute("ALTER TABLE aggregate_run DROP COLUMN released_at")
    op.execute("ALTER TABLE aggregate_run DROP COLUMN key_sum")
    op.execute("ALTER TABLE pin_cluster DROP COLUMN key_sum")
    op.execute("ALTER TABLE pin_cube DROP COLUMN key_sum")
    op.execute("ALTER TABLE pin DROP CONSTRAINT pin_record_key_range")
    op.execute("ALTER TABLE pin DROP COLUMN record_key")
