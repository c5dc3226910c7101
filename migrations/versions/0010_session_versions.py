"""Sessions that signing out revokes: each account has a session version, stored in its signed
session cookie at sign-in; signing out and a new password raise it, and a cookie with an older
version opens nothing (a copied cookie was valid for 10 hours after signing out).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE account ADD COLUMN session_version integer NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE account DROP COLUMN session_version")
