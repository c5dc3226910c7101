"""Trust: the moderation audit log, the residents' private edit keys, and sign-in lockout.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SHA-256 of the secret in the resident's private edit link; the secret itself is never stored.
    op.add_column("pin", sa.Column("edit_key_hash", BYTEA))
    op.create_index("pin_edit_key_hash_idx", "pin", ["edit_key_hash"])
    # The moderation queue reads pending comments oldest first.
    op.create_index("pin_moderation_queue_idx", "pin", ["status", "created_at"],
                    postgresql_where=sa.text("comment IS NOT NULL"))

    op.create_table(
        "moderation_event",
        sa.Column("id", sa.BigInteger, primary_key=True),
        # A pin its resident deleted leaves its events, without text (see services/own_pins.py).
        sa.Column("pin_id", sa.BigInteger, sa.ForeignKey("pin.id", ondelete="SET NULL")),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("status_before", sa.Text, nullable=False),
        sa.Column("status_after", sa.Text, nullable=False),
        sa.Column("comment_before", sa.Text),
        sa.Column("comment_after", sa.Text),
        sa.CheckConstraint("action IN ('approve', 'hide', 'redact')", name="moderation_event_action_known"),
    )
    op.create_index("moderation_event_pin_idx", "moderation_event", ["pin_id"])
    op.create_index("moderation_event_at_idx", "moderation_event", ["at"])

    op.add_column("account", sa.Column("failed_logins", sa.Integer, server_default="0", nullable=False))
    op.add_column("account", sa.Column("locked_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("account", "locked_until")
    op.drop_column("account", "failed_logins")
    op.drop_table("moderation_event")
    op.drop_index("pin_moderation_queue_idx", "pin")
    op.drop_index("pin_edit_key_hash_idx", "pin")
    op.drop_column("pin", "edit_key_hash")
