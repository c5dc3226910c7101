"""Accounts with roles; stored aggregates (runs, hexagon cells, Gi* hotspots, DBSCAN clusters,
the filter cube); optional district population.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = "'planner', 'facilitator', 'moderator', 'admin'"


def geometry(kind: str):
    return Geometry(kind, srid=4326, spatial_index=False)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("name", name="account_name_key"),
        sa.CheckConstraint(f"roles <@ ARRAY[{ROLES}]::text[]", name="account_roles_known"),
    )

    # Inhabitants per district, where a county supplies them (per-capita rates by district).
    op.add_column("district", sa.Column("population", sa.Integer))

    # One run of `glaswaende hotspots refresh`: pages and APIs read the latest finished run.
    op.create_table(
        "aggregate_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("county_key", sa.String(5), sa.ForeignKey("county.key"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("pin_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_pin_id", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("cell_size_m", sa.Float, nullable=False),
        sa.Column("dbscan_eps_m", sa.Float, nullable=False),
        sa.Column("dbscan_min_pins", sa.Integer, nullable=False),
        sa.Column("permutations", sa.Integer, nullable=False),
    )
    op.create_index("aggregate_run_finished_idx", "aggregate_run", ["county_key", "finished_at"])

    op.create_table(
        "hex_cell",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_ags", sa.String(8), sa.ForeignKey("municipality.ags"), nullable=False),
        sa.Column("i", sa.Integer, nullable=False),
        sa.Column("j", sa.Integer, nullable=False),
        sa.Column("geom", geometry("POLYGON"), nullable=False),
        sa.Column("centre", geometry("POINT"), nullable=False),
    )
    op.create_index("hex_cell_geom_idx", "hex_cell", ["geom"], postgresql_using="gist")
    op.create_index("hex_cell_position_idx", "hex_cell", ["run_id", "municipality_ags", "i", "j"], unique=True)

    # Getis-Ord Gi* per cell, for each variant (all pins, or the pins of one category …).
    op.create_table(
        "cell_statistic",
        sa.Column("run_id", sa.Integer, primary_key=True),
        sa.Column("cell_id", sa.Integer, primary_key=True),
        sa.Column("variant", sa.Text, primary_key=True),
        sa.Column("pin_count", sa.Integer, nullable=False),
        sa.Column("gi_z", sa.Float),
        sa.Column("gi_p", sa.Float),
        sa.Column("hotspot_class", sa.Text, nullable=False),
        sa.Column("confidence", sa.Integer),
        sa.ForeignKeyConstraint(["run_id", "cell_id"], ["hex_cell.run_id", "hex_cell.id"], ondelete="CASCADE"),
        sa.CheckConstraint("hotspot_class IN ('hot', 'cold', 'none')", name="cell_statistic_class_known"),
        sa.CheckConstraint("confidence IN (90, 95, 99)", name="cell_statistic_confidence_known"),
    )

    op.create_table(
        "pin_cluster",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("variant", sa.Text, nullable=False),
        sa.Column("municipality_ags", sa.String(8), sa.ForeignKey("municipality.ags"), nullable=False),
        sa.Column("pin_count", sa.Integer, nullable=False),
        sa.Column("main_category", sa.Text, nullable=False),
        sa.Column("main_dimension", sa.Text),
        sa.Column("outline", geometry("POLYGON"), nullable=False),
        sa.Column("centre", geometry("POINT"), nullable=False),
    )
    op.create_index("pin_cluster_municipality_idx", "pin_cluster", ["run_id", "municipality_ags", "variant"])

    # The filter cube: pins counted by every attribute a filter can select, so that filtered
    # counts per municipality, district and cell are sums over stored rows.
    op.create_table(
        "pin_cube",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aggregate_run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("municipality_ags", sa.String(8), nullable=False),
        sa.Column("district_id", sa.Integer),
        sa.Column("cell_id", sa.Integer),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("dimension_mask", sa.Integer, nullable=False),
        sa.Column("age_band", sa.Text),
        sa.Column("years_here", sa.Text),
        sa.Column("created_on", sa.Date, nullable=False),
        sa.Column("pin_count", sa.Integer, nullable=False),
    )
    op.create_index("pin_cube_run_idx", "pin_cube", ["run_id", "municipality_ags"])


def downgrade() -> None:
    op.drop_table("pin_cube")
    op.drop_table("pin_cluster")
    op.drop_table("cell_statistic")
    op.drop_table("hex_cell")
    op.drop_table("aggregate_run")
    op.drop_column("district", "population")
    op.drop_table("account")
