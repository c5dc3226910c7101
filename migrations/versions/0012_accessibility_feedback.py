"""Feedback on accessibility (BITV 2.0 § 7: every statement names a feedback channel): what a
visitor wrote on /barrierefreiheit, for the moderators, with the county it came to.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE accessibility_feedback (
            id bigserial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            message text NOT NULL,
            contact text,
            page text,
            received_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT accessibility_feedback_message_length CHECK (char_length(message) BETWEEN 1 AND 2000),
            CONSTRAINT accessibility_feedback_contact_length CHECK (char_length(contact) <= 200),
            CONSTRAINT accessibility_feedback_page_length CHECK (char_length(page) <= 300)
        )
    """)
    op.execute("CREATE INDEX accessibility_feedback_county_received_idx "
               "ON accessibility_feedback (county_key, received_at)")


def downgrade() -> None:
    op.execute("DROP TABLE accessibility_feedback")
