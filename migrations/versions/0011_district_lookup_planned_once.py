"""district_for_point in PL/pgSQL: the same lookup, planned once per connection.

A SQL function whose body holds subqueries is never inlined, and PostgreSQL 15 plans its body
anew on every call from a new statement: about 100 µs of the database's CPU per stored pin, half
of what the whole INSERT costs otherwise. PL/pgSQL keeps the plan for the connection's life.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The district covering the point wins; a point in a floating-point sliver at a seam between
# cells takes the nearest one (as in 0001).
LOOKUP = """
    COALESCE(
        (SELECT d.id FROM district d
          WHERE d.municipality_ags = $1 AND ST_Covers(d.geom, $2) ORDER BY d.id LIMIT 1),
        (SELECT d.id FROM district d
          WHERE d.municipality_ags = $1 ORDER BY d.geom <-> $2 LIMIT 1))
"""


def upgrade() -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION district_for_point(municipality_ags varchar, point geometry)
        RETURNS integer LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
        BEGIN
            RETURN {LOOKUP};
        END
        $$
    """)


def downgrade() -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION district_for_point(municipality_ags varchar, point geometry)
        RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT {LOOKUP} $$
    """)
