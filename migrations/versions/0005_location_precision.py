"""Pins placed without the map: the district's centre, stored as approximate.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 'exact': where the resident put it; 'district': chosen from lists, placed at the district's
    # centre. Analyses by district and municipality count both; cells, hotspots and clusters only
    # exact pins (district centres would make false hotspots).
    op.add_column("pin", sa.Column("location_precision", sa.Text, server_default="exact", nullable=False))
    op.create_check_constraint("pin_location_precision_known", "pin", "location_precision IN ('exact', 'district')")


def downgrade() -> None:
    op.drop_constraint("pin_location_precision_known", "pin")
    op.drop_column("pin", "location_precision")
