"""The tables (GeoAlchemy2 declarative models); the migrations create them, a test compares."""
from __future__ import annotations

import datetime as dt
import uuid

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    LargeBinary,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .geo import METRIC_SRID, STORAGE_SRID
from .vocabulary import (ACTOR_KINDS, ANSWER_STATES, CATEGORIES, COMMENT_MAX_LENGTH, DIMENSION_BITS, DIMENSIONS,
                         FOLLOWUP_SUBJECTS, IDEA_SOURCES, IDEA_STATUSES, IDEA_TEXT_MAX_LENGTH, IDEA_TITLE_MAX_LENGTH,
                         INITIAL_PIN_STATUS, LOCATION_PRECISIONS, MODERATION_ACTIONS, PIN_SOURCES, PIN_STATUSES,
                         PROJECT_STATUSES, ROLES)


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
    population: Mapped[int | None] = mapped_column(Integer)

    municipality: Mapped[Municipality] = relationship(back_populates="districts")


class Pin(Base):
    """One resident's mark; municipality and district are resolved when it is stored."""

    __tablename__ = "pin"
    __table_args__ = (
        CheckConstraint(f"category IN ({_sql_list(CATEGORIES)})", name="pin_category_known"),
        CheckConstraint(f"dimensions <@ ARRAY[{_sql_list(DIMENSIONS)}]::text[]", name="pin_dimensions_known"),
        CheckConstraint(f"char_length(comment) <= {COMMENT_MAX_LENGTH}", name="pin_comment_length"),
        CheckConstraint(f"status IN ({_sql_list(PIN_STATUSES)})", name="pin_status_known"),
        CheckConstraint(f"location_precision IN ({_sql_list(LOCATION_PRECISIONS)})", name="pin_location_precision_known"),
        CheckConstraint("record_key >= 0", name="pin_record_key_range"),
        CheckConstraint(f"source IN ({_sql_list(PIN_SOURCES)})", name="pin_source_known"),
        UniqueConstraint("client_id", name="pin_client_id_key"),
        Index("pin_geom_idx", "geom", postgresql_using="gist"),
        Index("pin_municipality_ags_idx", "municipality_ags"),
        Index("pin_district_id_idx", "district_id"),
        Index("pin_created_at_idx", "created_at"),
        Index("pin_workshop_id_idx", "workshop_id"),
        Index("pin_edit_key_hash_idx", "edit_key_hash"),
        Index("pin_moderation_queue_idx", "status", "created_at", postgresql_where=text("comment IS NOT NULL")),
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
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    # SHA-256 of the secret in the resident's private edit link; the secret itself is never stored.
    edit_key_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    location_precision: Mapped[str] = mapped_column(Text, server_default="exact")
    # online, workshop (through a join link) or paper (typed in by staff): vocabulary.PIN_SOURCES
    source: Mapped[str] = mapped_column(Text, server_default="online")
    # Derived by the database on every write (migration 0008): the place in the metric CRS of
    # the hexagon grid and DBSCAN, and the dimensions as the filter cube's bit mask.
    metric_x: Mapped[float] = mapped_column(Float(53), Computed(f"ST_X(ST_Transform(geom, {METRIC_SRID}))", persisted=True))
    metric_y: Mapped[float] = mapped_column(Float(53), Computed(f"ST_Y(ST_Transform(geom, {METRIC_SRID}))", persisted=True))
    dimension_mask: Mapped[int] = mapped_column(Integer, Computed(" + ".join(
        f"CASE WHEN '{code}' = ANY (dimensions) THEN {bit} ELSE 0 END" for code, bit in DIMENSION_BITS.items()),
        persisted=True))
    # Drawn once when the pin is stored (migration 0009): the cell key method's record key
    # (services/disclosure.py), never shown and never changed.
    record_key: Mapped[int] = mapped_column(Integer, server_default=text("floor(random() * 2147483648)::integer"))


class Account(Base):
    """A staff account (planner, facilitator, moderator, admin); residents never have one."""

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("name", name="account_name_key"),
        CheckConstraint(f"roles <@ ARRAY[{_sql_list(ROLES)}]::text[]", name="account_roles_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # In each session cookie; sign-out and a new password raise it (migration 0010).
    session_version: Mapped[int] = mapped_column(Integer, server_default="0")
    email: Mapped[str | None] = mapped_column(Text)  # where project reminders go (migration 0014)


class AggregateRun(Base):
    """One run of the hotspot batch job; pages read the latest finished run."""

    __tablename__ = "aggregate_run"
    __table_args__ = (
        Index("aggregate_run_finished_idx", "county_key", "finished_at"),
        Index("aggregate_run_released_idx", "county_key", "released_at"),
        CheckConstraint("baseline IN ('uniform', 'population')", name="aggregate_run_baseline_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_key: Mapped[str] = mapped_column(ForeignKey("county.key"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    pin_count: Mapped[int] = mapped_column(Integer, server_default="0")
    last_pin_id: Mapped[int] = mapped_column(BigInteger, server_default="0")
    cell_size_m: Mapped[float] = mapped_column(Float)
    dbscan_eps_m: Mapped[float] = mapped_column(Float)
    dbscan_min_pins: Mapped[int] = mapped_column(Integer)
    replications: Mapped[int] = mapped_column(Integer)  # Monte Carlo replications of the scan statistic
    max_radius_m: Mapped[float] = mapped_column(Float, server_default="1200")
    baseline: Mapped[str] = mapped_column(Text, server_default="uniform")  # 'uniform' or 'population'
    boundaries_digest: Mapped[str | None] = mapped_column(Text)  # runs with equal boundaries share a grid
    # Set where the run is public: the first run, then one with enough new pins since the last
    # public one (services/disclosure.py); the public reads the latest released run.
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")  # its pins' record keys (disclosure)


class HexCell(Base):
    """A hexagon of a run's grid (ST_HexagonGrid in the metric CRS), inside one municipality."""

    __tablename__ = "hex_cell"
    __table_args__ = (
        Index("hex_cell_geom_idx", "geom", postgresql_using="gist"),
        Index("hex_cell_position_idx", "run_id", "municipality_ags", "i", "j", unique=True),
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    i: Mapped[int] = mapped_column(Integer)  # ST_HexagonGrid's column
    j: Mapped[int] = mapped_column(Integer)  # ST_HexagonGrid's row
    area_share: Mapped[float] = mapped_column(Float, server_default="1")  # of the cell's area inside the municipality
    geom = mapped_column(Geometry("POLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    centre = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False)


class Hotspot(Base):
    """A significant window of the scan statistic: a circle of cells with more (hot) or fewer
    (cold) pins than the baseline lets expect; one row however many municipalities it reaches."""

    __tablename__ = "hotspot"
    __table_args__ = (
        CheckConstraint("hotspot_class IN ('hot', 'cold')", name="hotspot_class_known"),
        CheckConstraint("confidence IN (95, 99)", name="hotspot_confidence_known"),
        Index("hotspot_variant_idx", "run_id", "variant"),
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant: Mapped[str] = mapped_column(Text)
    hotspot_class: Mapped[str] = mapped_column(Text)
    rank: Mapped[int] = mapped_column(Integer)  # 1 = the most likely cluster of its variant and class
    pin_count: Mapped[int] = mapped_column(Integer)
    expected_pins: Mapped[float] = mapped_column(Float)
    log_likelihood_ratio: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)  # Monte Carlo, against the largest ratio of each replication
    confidence: Mapped[int] = mapped_column(Integer)
    radius_m: Mapped[float] = mapped_column(Float)
    cell_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))  # its hex_cell parts, every municipality
    centre = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False))


class CellStatistic(Base):
    """One cell's pins, the pins the baseline lets expect there, and the hotspot it belongs to."""

    __tablename__ = "cell_statistic"
    __table_args__ = (
        ForeignKeyConstraint(["run_id", "cell_id"], ["hex_cell.run_id", "hex_cell.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["run_id", "hotspot_id"], ["hotspot.run_id", "hotspot.id"], ondelete="CASCADE",
                             name="cell_statistic_hotspot_fkey"),
        CheckConstraint("hotspot_class IN ('hot', 'cold', 'none')", name="cell_statistic_class_known"),
        CheckConstraint("confidence IN (95, 99)", name="cell_statistic_confidence_known"),
        CheckConstraint("(hotspot_class = 'none') = (confidence IS NULL) AND (hotspot_class = 'none') = (hotspot_id IS NULL)",
                        name="cell_statistic_class_has_hotspot"),
        # For the cascade from hotspot: without it, removing a run scanned the run's cells once
        # per hotspot (0.8 s of a 0.9 s prune at 100,000 pins).
        Index("cell_statistic_hotspot_idx", "run_id", "hotspot_id", postgresql_where=text("hotspot_id IS NOT NULL")),
    )
    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant: Mapped[str] = mapped_column(Text, primary_key=True)
    pin_count: Mapped[int] = mapped_column(Integer)
    expected_pins: Mapped[float] = mapped_column(Float, server_default="0")
    hotspot_class: Mapped[str] = mapped_column(Text)
    confidence: Mapped[int | None] = mapped_column(Integer)
    hotspot_id: Mapped[int | None] = mapped_column(Integer)


class PopulationCell(Base):
    """Inhabitants at a point of an imported population grid (Zensus 2022 or any GDAL file)."""

    __tablename__ = "population_cell"
    __table_args__ = (
        CheckConstraint("inhabitants >= 0", name="population_cell_inhabitants_not_negative"),
        Index("population_cell_county_idx", "county_key"),
        Index("population_cell_geom_idx", "geom", postgresql_using="gist"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    county_key: Mapped[str] = mapped_column(ForeignKey("county.key", ondelete="CASCADE"))
    inhabitants: Mapped[float] = mapped_column(Float)
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False)


class PinCluster(Base):
    """A dense cluster of pins (ST_ClusterDBSCAN in the metric CRS)."""

    __tablename__ = "pin_cluster"
    __table_args__ = (Index("pin_cluster_municipality_idx", "run_id", "municipality_ags", "variant"),)
    run_id: Mapped[int] = mapped_column(ForeignKey("aggregate_run.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant: Mapped[str] = mapped_column(Text)
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    pin_count: Mapped[int] = mapped_column(Integer)
    main_category: Mapped[str] = mapped_column(Text)
    main_dimension: Mapped[str | None] = mapped_column(Text)
    outline = mapped_column(Geometry("POLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    centre = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=False)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")  # its pins' record keys (disclosure)


class PinCube(Base):
    """Pins counted by every attribute a filter selects; filtered counts are sums over it.
    Partitioned by run (migration 0008): each run's cube is a table pin_cube_<run id> with an
    index on municipality_ags, made by create_pin_cube_partition and index_pin_cube_partition,
    dropped by drop_orphan_pin_cubes once its run is gone (no foreign key to the run)."""

    __tablename__ = "pin_cube"
    __table_args__ = {"postgresql_partition_by": "LIST (run_id)"}
    __mapper_args__ = {"primary_key": ["run_id", "municipality_ags", "district_id", "cell_id", "category",
                                       "dimension_mask", "age_band", "years_here", "created_on", "source"]}
    run_id: Mapped[int] = mapped_column(Integer)
    municipality_ags: Mapped[str] = mapped_column(String(8))
    district_id: Mapped[int | None] = mapped_column(Integer)
    cell_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(Text)
    dimension_mask: Mapped[int] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(Text)
    years_here: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, server_default="online")
    pin_count: Mapped[int] = mapped_column(Integer)
    key_sum: Mapped[int] = mapped_column(BigInteger, server_default="0")  # its pins' record keys (disclosure)


class Workshop(Base):
    """A planning meeting for one municipality (optionally one district), with its join link."""

    __tablename__ = "workshop"
    __table_args__ = (UniqueConstraint("join_code", name="workshop_join_code_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    held_on: Mapped[dt.date] = mapped_column(Date)
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    join_code: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The room's live view (services/disclosure.py): the state of a snapshot taken when the
    # workshop's pins had grown by k since the one before (each number shown, and the true count it
    # was shown for: never sent out), and how many pins it counted.
    live_pin_count: Mapped[int] = mapped_column(Integer, server_default="0")
    live_view = mapped_column(JSONB)


class ModerationEvent(Base):
    """One moderation action in the audit log: who, when, what, the status and text before and after."""

    __tablename__ = "moderation_event"
    __table_args__ = (
        CheckConstraint(f"action IN ({_sql_list(MODERATION_ACTIONS)})", name="moderation_event_action_known"),
        Index("moderation_event_pin_idx", "pin_id"),
        Index("moderation_event_at_idx", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    pin_id: Mapped[int | None] = mapped_column(ForeignKey("pin.id", ondelete="SET NULL"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    action: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status_before: Mapped[str] = mapped_column(Text)
    status_after: Mapped[str] = mapped_column(Text)
    comment_before: Mapped[str | None] = mapped_column(Text)
    comment_after: Mapped[str | None] = mapped_column(Text)


class AccessibilityFeedback(Base):
    """A visitor's message about a barrier on the site (the feedback channel of the accessibility
    statement, mapserver/legal), read by the moderators."""

    __tablename__ = "accessibility_feedback"
    __table_args__ = (
        CheckConstraint("char_length(message) BETWEEN 1 AND 2000", name="accessibility_feedback_message_length"),
        CheckConstraint("char_length(contact) <= 200", name="accessibility_feedback_contact_length"),
        CheckConstraint("char_length(page) <= 300", name="accessibility_feedback_page_length"),
        Index("accessibility_feedback_county_received_idx", "county_key", "received_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    page: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# Step two of the programme (migration 0014): ideas against the walls, the county's public answers,
# projects accompanied for a year, and the local actors who carry them on.

class LocalActor(Base):
    """A club, initiative, school, parish or meeting place that already exists (mapserver/actors):
    a point, or only its municipality and district; its contact is public by definition."""

    __tablename__ = "local_actor"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_sql_list(ACTOR_KINDS)})", name="local_actor_kind_known"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="local_actor_name_length"),
        Index("local_actor_county_municipality_idx", "county_key", "municipality_ags"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)  # public: address, phone, e-mail or web site
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=False))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Idea(Base):
    """An idea against a wall (mapserver/ideas): from a workshop, a phone through the join link, the
    municipality page or paper; moderated like a comment. The hotspot area it answers is kept as it
    was then (runs are replaced, the outline stays)."""

    __tablename__ = "idea"
    __table_args__ = (
        CheckConstraint(f"source IN ({_sql_list(IDEA_SOURCES)})", name="idea_source_known"),
        CheckConstraint(f"status IN ({_sql_list(IDEA_STATUSES)})", name="idea_status_known"),
        CheckConstraint(f"dimensions <@ ARRAY[{_sql_list(DIMENSIONS)}]::text[]", name="idea_dimensions_known"),
        CheckConstraint(f"char_length(title) BETWEEN 1 AND {IDEA_TITLE_MAX_LENGTH}", name="idea_title_length"),
        CheckConstraint(f"char_length(body) <= {IDEA_TEXT_MAX_LENGTH}", name="idea_body_length"),
        Index("idea_county_municipality_idx", "county_key", "municipality_ags"),
        Index("idea_moderation_queue_idx", "status", "created_at"),
        Index("idea_area_idx", "area", postgresql_using="gist"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    district_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, server_default="")
    dimensions: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    source: Mapped[str] = mapped_column(Text)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    # The hotspot it answers, as it was: its run and id then (no foreign key: runs are dropped),
    # and its outline (or the districts' outline when it answers a district).
    hotspot_run_id: Mapped[int | None] = mapped_column(Integer)
    hotspot_id: Mapped[int | None] = mapped_column(Integer)
    area = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False))
    status: Mapped[str] = mapped_column(Text, server_default=INITIAL_PIN_STATUS)
    support_count: Mapped[int] = mapped_column(Integer, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))  # staff who typed it in
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdeaSupport(Base):
    """One device's support of an idea: a salted hash of the device, like the rate limits; once."""

    __tablename__ = "idea_support"
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    device_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdeaAnswer(Base):
    """The county's public answer to an idea, one row per state it reached: drafted, then published
    with its date (published_at); the institution answers, never a person by name."""

    __tablename__ = "idea_answer"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(ANSWER_STATES)})", name="idea_answer_state_known"),
        CheckConstraint("state <> 'nicht_umsetzbar' OR char_length(btrim(body)) > 0", name="idea_answer_reason_given"),
        CheckConstraint("char_length(institution) BETWEEN 1 AND 200", name="idea_answer_institution_length"),
        Index("idea_answer_idea_idx", "idea_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, server_default="")
    institution: Mapped[str] = mapped_column(Text)
    drafted_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    drafted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AnswerTemplate(Base):
    """A reusable answer text for coordinators (a state and a text to start from)."""

    __tablename__ = "answer_template"
    __table_args__ = (
        CheckConstraint(f"state IN ({_sql_list(ANSWER_STATES)})", name="answer_template_state_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)


class Project(Base):
    """A project made from one or more ideas (mapserver/projects), accompanied for a year from its
    start; progress comes from its milestones unless set by hand."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint(f"status IN ({_sql_list(PROJECT_STATUSES)})", name="project_status_known"),
        CheckConstraint("progress_set IS NULL OR progress_set BETWEEN 0 AND 100", name="project_progress_range"),
        CheckConstraint("accompaniment_end >= start_on", name="project_accompaniment_after_start"),
        Index("project_county_municipality_idx", "county_key", "municipality_ags"),
        Index("project_area_idx", "area", postgresql_using="gist"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    municipality_ags: Mapped[str] = mapped_column(ForeignKey("municipality.ags"))
    district_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(Text, server_default="geplant")
    start_on: Mapped[dt.date] = mapped_column(Date)
    accompaniment_end: Mapped[dt.date] = mapped_column(Date)
    progress_set: Mapped[int | None] = mapped_column(Integer)
    # The hotspot areas and districts it works in, as they were (the union of its ideas' areas).
    area = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False))
    # The area's published pin numbers when it started (for the one-year report), disclosure-safe.
    baseline = mapped_column(JSONB)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))  # staff the reminders go to
    created_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProjectIdea(Base):
    __tablename__ = "project_idea"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)


class ProjectPartner(Base):
    __tablename__ = "project_partner"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("local_actor.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str | None] = mapped_column(Text)


class ProjectMilestone(Base):
    __tablename__ = "project_milestone"
    __table_args__ = (Index("project_milestone_project_idx", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, server_default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)


class ProjectUpdate(Base):
    """A dated public update; its photo is re-encoded without metadata before it is stored."""

    __tablename__ = "project_update"
    __table_args__ = (Index("project_update_project_idx", "project_id", "published_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)  # JPEG, re-encoded, no EXIF
    photo_caption: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FollowupEvent(Base):
    """The audit log of step two: every answer, project, milestone, update and actor change, who
    made it and what it was before and after."""

    __tablename__ = "followup_event"
    __table_args__ = (
        CheckConstraint(f"subject IN ({_sql_list(FOLLOWUP_SUBJECTS)})", name="followup_event_subject_known"),
        Index("followup_event_subject_idx", "subject", "subject_id"),
        Index("followup_event_at_idx", "at"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    county_key: Mapped[str] = mapped_column(String(5))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    subject: Mapped[str] = mapped_column(Text)
    subject_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)  # created, changed, published, deleted, approved, hidden …
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    before = mapped_column(JSONB)
    after = mapped_column(JSONB)
