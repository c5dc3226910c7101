"""Where a pin came from: `online` (the resident's own phone or computer), `workshop` (through a
workshop's join link) or `paper` (a questionnaire typed in by staff). Counts, filters and exports
split by it; the filter cube counts it too. Pins of a workshop so far came through its link.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        ALTER TABLE pin ADD COLUMN source text NOT NULL DEFAULT 'online'
            CONSTRAINT pin_source_known CHECK (source IN ('online', 'workshop', 'paper'))
    """)
    op.execute("UPDATE pin SET source = 'workshop' WHERE workshop_id IS NOT NULL")
    # Every run's cube partition gets the column too (a partitioned table passes it on); runs
    # stored before count their pins as online until the next refresh.
    op.execute("ALTER TABLE pin_cube ADD COLUMN source text NOT NULL DEFAULT 'online'")


def downgrade() -> None:
    op.execute("ALTER TABLE pin_cube DROP COLUMN source")
    op.execute("ALTER TABLE pin DROP COLUMN source")
