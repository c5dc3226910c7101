"""Workshops, and pins tagged with the workshop whose join link they came through.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("municipality_ags", sa.String(8), sa.ForeignKey("municipality.ags"), nullable=False),
        sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id", ondelete="SET NULL")),
        # The short code of the join link (/w/<code>): random, unguessable, easy to type.
        sa.Column("join_code", sa.String(12), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("join_code", name="workshop_join_code_key"),
    )
    op.add_column("pin", sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshop.id", ondelete="SET NULL")))
    op.create_index("pin_workshop_id_idx", "pin", ["workshop_id"])


def downgrade() -> None:
    op.drop_index("pin_workshop_id_idx", "pin")
    op.drop_column("pin", "workshop_id")
    op.drop_table("workshop")
