"""The tables: county, municipality, district, pin (GeoAlchemy2 declarative models)."""
from __future__ import annotations

import datetime as dt
import uuid

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .geo import STORAGE_SRID
from .vocabulary import CATEGORIES, COMMENT_MAX_LENGTH, DIMENSIONS, INITIAL_PIN_STATUS, PIN_STATUSES


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Base(DeclarativeBase):
    pass


class County(Base):
    """A Landkreis (or Region, kreisfreie Stadt): the outline is the union of its municipalities."""

    __tablename__ = "county"
    __table_args__ = (Index("county_geom_idx", "geom", postgresql_using="gist"),)
    key: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)  # BKG "BEZ": Landkreis, Kreis, Region, …
    attributions: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Municipality(Base):
    """A Gemeinde, keyed by its 8-digit Amtlicher Gemeindeschlüssel."""

    __tablename__ = "municipality"
    __table_args__ = (
        Index("municipality_geom_idx", "geom", postgresql_using="gist"),
        Index("municipality_county_key_idx", "county_key"),
    )
    ags: Mapped[str] = mapped_column(String(8), primary_key=True)
    county_key: Mapped[str] = mapped_column(ForeignKey("county.key"))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)  # BKG "BEZ": Stadt, Gemeinde, Flecken, …
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    population: Mapped[int | None] = mapped_column(Integer)
    population_date: Mapped[dt.date | None] = mapped_column(Date)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=False)

    districts: Mapped[list["District"]] = relationship(back_populates="municipality")


class District(Base):
    """An Ortsteil; approximate while it is a Voronoi cell of its centre point."""

    __tablename__ = "district"
    __table_args__ = (
        UniqueConstraint("municipality_ags", "name", name="district_municipality_ags_name_key"),
        Index("district_geom_idx", "geom", postgresql_using="gist"),
        Index("district_municipality_ags_idx", "municipality_ags"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    name: Mapped[str] = mapped_column(Text)
    approximate: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    centre = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=True)

    municipality: Mapped[Municipality] = relationship(back_populates="districts")


class Pin(Base):
    """One resident's mark; municipality and district are resolved when it is stored."""

    __tablename__ = "pin"
    __table_args__ = (
        CheckConstraint(f"category IN ({_sql_list(CATEGORIES)})", name="pin_category_known"),
        CheckConstraint(f"dimensions <@ ARRAY[{_sql_list(DIMENSIONS)}]::text[]", name="pin_dimensions_known"),
        CheckConstraint(f"char_length(comment) <= {COMMENT_MAX_LENGTH}", name="pin_comment_length"),
        CheckConstraint(f"status IN ({_sql_list(PIN_STATUSES)})", name="pin_status_known"),
        UniqueConstraint("client_id", name="pin_client_id_key"),
        Index("pin_geom_idx", "geom", postgresql_using="gist"),
        Index("pin_municipality_ags_idx", "municipality_ags"),
        Index("pin_district_id_idx", "district_id"),
        Index("pin_created_at_idx", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    category: Mapped[str] = mapped_column(Text)
    dimensions: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    comment: Mapped[str | None] = mapped_column(Text)
    age_band: Mapped[str | None] = mapped_column(Text)
    years_here: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status: Mapped[str] = mapped_column(Text, server_default=INITIAL_PIN_STATUS)
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
