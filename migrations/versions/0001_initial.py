"""County, municipality, district and pin, with PostGIS.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the vocabulary as it was when this migration was written;
# later changes to mapserver/vocabulary.py get a migration of their own.
CATEGORIES = "'divided', 'missing_meeting_place', 'meeting_place'"
DIMENSIONS = "'social', 'generations', 'origin', 'income', 'mobility', 'other'"
STATUSES = "'pending', 'published', 'hidden'"


def geometry(kind: str):
    # Spatial indexes are created explicitly below, so their names are ours.
    return Geometry(kind, srid=4326, spatial_index=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "county",
        sa.Column("key", sa.String(5), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        # Attributions of the county's own data (population, Ortsteil points), shown on its maps.
        sa.Column("attributions", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("geom", geometry("MULTIPOLYGON"), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("county_geom_idx", "county", ["geom"], postgresql_using="gist")

    op.create_table(
        "municipality",
        sa.Column("ags", sa.String(8), primary_key=True),
        sa.Column("county_key", sa.String(5), sa.ForeignKey("county.key"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("population", sa.Integer),
        sa.Column("population_date", sa.Date),
        sa.Column("geom", geometry("MULTIPOLYGON"), nullable=False),
    )
    op.create_index("municipality_county_key_idx", "municipality", ["county_key"])
    op.create_index("municipality_geom_idx", "municipality", ["geom"], postgresql_using="gist")

    op.create_table(
        "district",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_ags", sa.String(8), sa.ForeignKey("municipality.ags"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("geom", geometry("MULTIPOLYGON"), nullable=False),
        sa.Column("centre", geometry("POINT")),
        sa.UniqueConstraint("municipality_ags", "name", name="district_municipality_ags_name_key"),
    )
    op.create_index("district_municipality_ags_idx", "district", ["municipality_ags"])
    op.create_index("district_geom_idx", "district", ["geom"], postgresql_using="gist")

    op.create_table(
        "pin",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("client_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("geom", geometry("POINT"), nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("dimensions", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("comment", sa.Text),
        sa.Column("age_band", sa.Text),
        sa.Column("years_here", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("municipality_ags", sa.String(8), sa.ForeignKey("municipality.ags"), nullable=False),
        sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
        sa.UniqueConstraint("client_id", name="pin_client_id_key"),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name="pin_category_known"),
        sa.CheckConstraint(f"dimensions <@ ARRAY[{DIMENSIONS}]::text[]", name="pin_dimensions_known"),
        sa.CheckConstraint("char_length(comment) <= 1000", name="pin_comment_length"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="pin_status_known"),
    )
    op.create_index("pin_geom_idx", "pin", ["geom"], postgresql_using="gist")
    op.create_index("pin_municipality_ags_idx", "pin", ["municipality_ags"])
    op.create_index("pin_district_id_idx", "pin", ["district_id"])
    op.create_index("pin_created_at_idx", "pin", ["created_at"])

    # Resolving a point to its district happens when a pin is stored and again when district
    # polygons are replaced; one function keeps both the same. The district covering the point
    # wins; a point in a floating-point sliver at a seam between cells takes the nearest one.
    op.execute("""
        CREATE FUNCTION district_for_point(municipality_ags varchar, point geometry)
        RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
            SELECT COALESCE(
                (SELECT d.id FROM district d
                  WHERE d.municipality_ags = $1 AND ST_Covers(d.geom, $2) ORDER BY d.id LIMIT 1),
                (SELECT d.id FROM district d
                  WHERE d.municipality_ags = $1 ORDER BY d.geom <-> $2 LIMIT 1))
        $$
    """)


def downgrade() -> None:
    op.execute("DROP FUNCTION district_for_point(varchar, geometry)")
    op.drop_table("pin")
    op.drop_table("district")
    op.drop_table("municipality")
    op.drop_table("county")
