"""Hotspots by Kulldorff's spatial scan statistic over the county as one surface; an optional
population grid as the baseline.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STORAGE_SRID = 4326


def upgrade() -> None:
    # Old runs were computed by another method; their cells cannot be read the new way.
    op.execute("DELETE FROM aggregate_run")

    # What a run was computed with, stored with it so every page can say so.
    op.alter_column("aggregate_run", "permutations", new_column_name="replications")
    op.add_column("aggregate_run", sa.Column("max_radius_m", sa.Float, nullable=False, server_default="1200"))
    op.add_column("aggregate_run", sa.Column("baseline", sa.Text, nullable=False, server_default="uniform"))
    # A digest of the municipalities' boundaries: a run whose boundaries and cell size equal an
    # earlier run's copies that run's grid instead of intersecting every hexagon again.
    op.add_column("aggregate_run", sa.Column("boundaries_digest", sa.Text))
    op.create_check_constraint("aggregate_run_baseline_known", "aggregate_run", "baseline IN ('uniform', 'population')")

    # The share of a cell's area inside its municipality: the null expects pins in proportion to
    # it, so a cell half outside the county is not a full cell.
    op.add_column("hex_cell", sa.Column("area_share", sa.Float, nullable=False, server_default="1"))

    # A significant window of the scan statistic: a circle of cells around a centre cell, with
    # more (hot) or fewer (cold) pins than the baseline lets expect. One row however many
    # municipalities it reaches into.
    op.create_table(
        "hotspot",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("variant", sa.Text, nullable=False),
        sa.Column("hotspot_class", sa.Text, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("pin_count", sa.Integer, nullable=False),
        sa.Column("expected_pins", sa.Float, nullable=False),
        sa.Column("log_likelihood_ratio", sa.Float, nullable=False),
        sa.Column("p_value", sa.Float, nullable=False),
        sa.Column("confidence", sa.Integer, nullable=False),
        sa.Column("radius_m", sa.Float, nullable=False),
        # Its cell parts (hex_cell ids, every municipality): a cell may lie in a hotspot and in a
        # larger coldspot around it, so membership is the hotspot's, not the cell's.
        sa.Column("cell_ids", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column("centre", Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False)),
        sa.CheckConstraint("hotspot_class IN ('hot', 'cold')", name="hotspot_class_known"),
        sa.CheckConstraint("confidence IN (95, 99)", name="hotspot_confidence_known"),
    )
    op.create_index("hotspot_variant_idx", "hotspot", ["run_id", "variant"])

    op.drop_constraint("cell_statistic_confidence_known", "cell_statistic")
    op.drop_column("cell_statistic", "gi_z")
    op.drop_column("cell_statistic", "gi_p")
    op.add_column("cell_statistic", sa.Column("expected_pins", sa.Float, nullable=False, server_default="0"))
    op.add_column("cell_statistic", sa.Column("hotspot_id", sa.Integer))
    op.create_foreign_key("cell_statistic_hotspot_fkey", "cell_statistic", "hotspot", ["run_id", "hotspot_id"],
                          ["run_id", "id"], ondelete="CASCADE")
    op.create_check_constraint("cell_statistic_confidence_known", "cell_statistic", "confidence IN (95, 99)")
    # A class, a confidence and a hotspot come together or not at all: no "none" with a confidence.
    op.create_check_constraint(
        "cell_statistic_class_has_hotspot", "cell_statistic",
        "(hotspot_class = 'none') = (confidence IS NULL) AND (hotspot_class = 'none') = (hotspot_id IS NULL)")

    # An optional population grid (Zensus 2022 or any GDAL file): inhabitants at points. Where a
    # county has one, the null expects pins where people live.
    op.create_table(
        "population_cell",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("county_key", sa.String(5), sa.ForeignKey("county.key", ondelete="CASCADE"), nullable=False),
        sa.Column("inhabitants", sa.Float, nullable=False),
        sa.Column("geom", Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False),
        sa.CheckConstraint("inhabitants >= 0", name="population_cell_inhabitants_not_negative"),
    )
    op.create_index("population_cell_county_idx", "population_cell", ["county_key"])
    op.create_index("population_cell_geom_idx", "population_cell", ["geom"], postgresql_using="gist")


def downgrade() -> None:
    op.execute("DELETE FROM aggregate_run")
    op.drop_table("population_cell")
    op.drop_constraint("cell_statistic_class_has_hotspot", "cell_statistic")
    op.drop_constraint("cell_statistic_confidence_known", "cell_statistic")
    op.drop_constraint("cell_statistic_hotspot_fkey", "cell_statistic")
    op.drop_column("cell_statistic", "hotspot_id")
    op.drop_column("cell_statistic", "expected_pins")
    op.add_column("cell_statistic", sa.Column("gi_z", sa.Float))
    op.add_column("cell_statistic", sa.Column("gi_p", sa.Float))
    op.create_check_constraint("cell_statistic_confidence_known", "cell_statistic", "confidence IN (90, 95, 99)")
    op.drop_table("hotspot")
    op.drop_column("hex_cell", "area_share")
    op.drop_constraint("aggregate_run_baseline_known", "aggregate_run")
    op.drop_column("aggregate_run", "boundaries_digest")
    op.drop_column("aggregate_run", "baseline")
    op.drop_column("aggregate_run", "max_radius_m")
    op.alter_column("aggregate_run", "replications", new_column_name="permutations")
