"""A paper sheet's place is its grid field's centre: location_precision 'grid'. Counted in cells
and hotspots like a pin set on the map, but left out of the dense clusters: a stack of sheets
for one field is a pile of identical points, not a cluster. The sheets stored so far (all by
grid field) become 'grid'.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE pin DROP CONSTRAINT pin_location_precision_known")
    op.execute("ALTER TABLE pin ADD CONSTRAINT pin_location_precision_known "
               "CHECK (location_precision IN ('exact', 'grid', 'district'))")
    op.execute("UPDATE pin SET location_precision = 'grid' WHERE source = 'paper' AND location_precision = 'exact'")


def downgrade() -> None:
    op.execute("UPDATE pin SET location_precision = 'exact' WHERE location_precision = 'grid'")
    op.execute("ALTER TABLE pin DROP CONSTRAINT pin_location_precision_known")
    op.execute("ALTER TABLE pin ADD CONSTRAINT pin_location_precision_known "
               "CHECK (location_precision IN ('exact', 'district'))")
