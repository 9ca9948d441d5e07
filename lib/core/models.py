"""SQLAlchemy 2 typed tables for everything SPEC names.

Portable across SQLite, PostgreSQL and MariaDB: every String has a length (MySQL needs one), long text is
Text (never indexed), times are naive local times (the team works in one time zone, Asia/Shanghai).
Schema changes go through Alembic (alembic/versions); a test checks models and migrations agree.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from lib.core.durations import DURATION_MEASURES, SecondsBetween, histogram_columns

# Stable constraint names so migrations are the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(14, 2, asdecimal=False)
SessionId = BigInteger().with_variant(Integer, "sqlite")  # the type of live_sessions.id


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    if TYPE_CHECKING:  # every model here is declared on a Table (SQLAlchemy types it as any FromClause)
        __table__: ClassVar[Table]


# --- meta -------------------------------------------------------------------------------------------


class DataVersion(Base):
    """One row; every write bumps `version` in its own transaction so caches in every process expire."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class AppSetting(Base):
    """Key/value settings shared by all processes (demo mode, survey thresholds, promotion bar...)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON


# --- organisation -----------------------------------------------------------------------------------


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Position(Base):
    """A job position (岗位): what a scorecard measures. Not an access role."""

    __tablename__ = "positions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(64))
    # A retired position stays on the people and scorecards that have it; it is not offered for new ones.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The person's user id on the team's chat platform (WeCom/DingTalk/Feishu), for @-mentions (lib.notify).
    chat_user_id: Mapped[str | None] = mapped_column(String(64))


class HostAccount(Base):
    """Links a person to the nickname or account id under which a platform exports their sessions."""

    __tablename__ = "host_accounts"
    __table_args__ = (UniqueConstraint("platform", "alias"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    alias: Mapped[str] = mapped_column(String(128))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # access role: admin / manager / staff
    password_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Login cookies issued before this instant are refused (logout, password reset, disable).
    sessions_valid_after: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Optimistic lock: an edit names the version it started from; the UPDATE matches it (lib.core.forms).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


# --- live sessions and imports ------------------------------------------------------------------------


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    profile: Mapped[str | None] = mapped_column(String(64))
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="committed")  # committed / undone
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(64))


class ImportChange(Base):
    """What one batch did to one row, so the batch can be undone exactly."""

    __tablename__ = "import_changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(8))  # insert / update
    before: Mapped[str | None] = mapped_column(Text)  # JSON of the row before an update


class ExportProfile(Base):
    """A saved header mapping for an export layout (admin-made; platform presets live in code)."""

    __tablename__ = "export_profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(16))
    mapping: Mapped[str] = mapped_column(Text)  # JSON {source header: canonical field}
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LiveSession(Base):
    """One live-stream session as a platform exported it. Count columns are NULL when not exported."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        # A room (account) can be shared by two hosts at once (the Douyin sample does): host is in the key.
        UniqueConstraint("platform", "account", "host_name", "started_at"),
        UniqueConstraint("platform", "external_id"),
        Index("ix_live_sessions_day_platform", "started_on", "platform"),
        Index("ix_live_sessions_host_day", "host_person_id", "started_on"),
        Index("ix_live_sessions_room_day", "room", "started_on"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))  # douyin / kuaishou / taobao / jd
    external_id: Mapped[str | None] = mapped_column(String(128))
    account: Mapped[str] = mapped_column(String(128))
    room: Mapped[str | None] = mapped_column(String(128))
    host_name: Mapped[str | None] = mapped_column(String(128))
    host_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_on: Mapped[dt.date] = mapped_column(Date)  # the day a session belongs to
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration_minutes: Mapped[float | None] = mapped_column(Float)
    exposure: Mapped[int | None] = mapped_column(BigInteger)  # 曝光人数
    viewers: Mapped[int | None] = mapped_column(BigInteger)  # UV
    views: Mapped[int | None] = mapped_column(BigInteger)  # PV
    peak_online: Mapped[int | None] = mapped_column(Integer)
    avg_online: Mapped[int | None] = mapped_column(Integer)
    avg_watch_seconds: Mapped[float | None] = mapped_column(Float)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(Integer)
    questions: Mapped[int | None] = mapped_column(Integer)
    questions_replied: Mapped[int | None] = mapped_column(Integer)
    product_exposure: Mapped[int | None] = mapped_column(BigInteger)
    product_clicks: Mapped[int | None] = mapped_column(BigInteger)
    orders: Mapped[int | None] = mapped_column(Integer)
    buyers: Mapped[int | None] = mapped_column(Integer)
    gmv: Mapped[float | None] = mapped_column(Money)
    refund_amount: Mapped[float | None] = mapped_column(Money)
    retention_rate: Mapped[float | None] = mapped_column(Float)  # 0..1 as exported
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- session detail (per-minute trend, products, traffic sources) -------------------------------------
# Detail rows of one session: read one session at a time, so the primary key starts with session_id and
# the rows are stored clustered by it (SQLite WITHOUT ROWID; InnoDB clusters by primary key). Deleting a
# session deletes its detail rows (ON DELETE CASCADE). import_batch_id says which upload wrote a row; the
# upload's import_changes keep the rows it replaced, so an undo restores them.


class SessionMinute(Base):
    """One minute of a session's trend; `minute` counts whole minutes from the session's start minute."""

    __tablename__ = "session_minutes"
    __table_args__ = {"sqlite_with_rowid": False}
    session_id: Mapped[int] = mapped_column(
        SessionId, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    minute: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    online: Mapped[int | None] = mapped_column(Integer)
    entering: Mapped[int | None] = mapped_column(Integer)
    leaving: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(Integer)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int | None] = mapped_column(Integer)
    gmv_cents: Mapped[int | None] = mapped_column(BigInteger)  # exact and compact: 24 M rows at scale
    # No foreign key: on MariaDB it would add a secondary index to the biggest table; batches are never
    # deleted, and undo finds the rows by session (import_changes) and checks this column.
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class SessionProduct(Base):
    """One product of a session's product list (商品列表)."""

    __tablename__ = "session_products"
    __table_args__ = (
        Index("ix_session_products_product", "product_id"),
        {"sqlite_with_rowid": False},
    )
    session_id: Mapped[int] = mapped_column(
        SessionId, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    price: Mapped[float | None] = mapped_column(Money)
    first_on_shelf: Mapped[dt.datetime | None] = mapped_column(DateTime)
    explain_count: Mapped[int | None] = mapped_column(Integer)
    explain_seconds: Mapped[int | None] = mapped_column(Integer)
    exposure: Mapped[int | None] = mapped_column(BigInteger)
    clicks: Mapped[int | None] = mapped_column(BigInteger)
    orders: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int | None] = mapped_column(Integer)
    gmv: Mapped[float | None] = mapped_column(Money)
    refund: Mapped[float | None] = mapped_column(Money)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))


class SessionSource(Base):
    """One traffic source of a session (流量来源): viewers and GMV."""

    __tablename__ = "session_sources"
    __table_args__ = {"sqlite_with_rowid": False}
    session_id: Mapped[int] = mapped_column(
        SessionId, ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    viewers: Mapped[int | None] = mapped_column(BigInteger)
    gmv: Mapped[float | None] = mapped_column(Money)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))


# --- targets ------------------------------------------------------------------------------------------


class Target(Base):
    """A target from `month_from` on; a change is a new row, so earlier months keep the old value."""

    __tablename__ = "targets"
    __table_args__ = (Index("ix_targets_lookup", "metric", "scope_kind", "scope_value", "month_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(48))
    scope_kind: Mapped[str] = mapped_column(String(16))  # all / platform / room / team / person
    scope_value: Mapped[str] = mapped_column(String(128), default="")
    month_from: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    kind: Mapped[str] = mapped_column(String(16))  # at_least / at_most / between
    value: Mapped[float] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(16), default="session")  # session / month
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- manual metrics -----------------------------------------------------------------------------------


class ManualMetric(Base):
    __tablename__ = "manual_metrics"
    __table_args__ = (UniqueConstraint("month", "person_id", "metric"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(48))
    value: Mapped[float] = mapped_column(Float)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    entered_by: Mapped[str | None] = mapped_column(String(64))


# --- incidents ----------------------------------------------------------------------------------------


SLA_SINCE_EVER = dt.datetime(2000, 1, 1)  # the first SLA table's start: before any stored incident


class IncidentCategory(Base):
    __tablename__ = "incident_categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IncidentSla(Base):
    """SLA minutes by severity, optionally for one category (a category row beats the generic one).
    Versioned: a row applies to incidents detected from `valid_from` until `valid_to` (NULL: still in
    force), so a changed SLA never rewrites the attainment of a period before it (lib.settings)."""

    __tablename__ = "incident_slas"
    __table_args__ = (UniqueConstraint("category_id", "severity", "valid_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    valid_from: Mapped[dt.datetime] = mapped_column(
        DateTime, default=SLA_SINCE_EVER, server_default="2000-01-01 00:00:00"
    )
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("incident_categories.id", ondelete="CASCADE"))
    severity: Mapped[str] = mapped_column(String(16))  # simple / complex / major
    respond_minutes: Mapped[float | None] = mapped_column(Float)
    resolve_minutes: Mapped[float | None] = mapped_column(Float)
    meeting_minutes: Mapped[float | None] = mapped_column(Float)


class Incident(Base):
    __tablename__ = "incidents"
    # The duration indexes (generated columns below) carry every roll-up filter column after the period, so an
    # exact percentile reads the few durations of one histogram bin from the index (lib.incidents.percentiles).
    __table_args__ = (
        Index("ix_incidents_detected", "detected_at"),
        Index(
            "ix_incidents_open", "resolved_at", "detected_at"
        ),  # open ones (NULL) oldest first: the open list
        *(
            Index(
                f"ix_incidents_{m}_s", f"{m}_s", "detected_at", "category", "severity", "owner_department_id"
            )
            for m in DURATION_MEASURES
        ),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    natural_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # imports: hash of source fields
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL"), index=True
    )
    platform: Mapped[str | None] = mapped_column(String(16))
    room: Mapped[str | None] = mapped_column(String(128))
    host_name: Mapped[str | None] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    meeting_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    owner_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    handler_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    handler_name: Mapped[str | None] = mapped_column(String(64))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    overtime_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Generated by the database (lib.core.durations: the report's own definition of a duration in whole
    # seconds); never written. SQLite and MariaDB compute them on read (virtual), PostgreSQL stores them.
    respond_s: Mapped[float | None] = mapped_column(
        Double, Computed(SecondsBetween("detected_at", "responded_at"))
    )
    resolve_s: Mapped[float | None] = mapped_column(
        Double, Computed(SecondsBetween("detected_at", "resolved_at"))
    )


# --- surveys (anonymity: answers carry no user, no time, random ids; participation kept apart) --------
# Answers (survey_submissions, survey_ratings) and participation share no column but the round. Their
# keys are random (uuid4) or (round, user): nothing sequential, no timestamps. `sqlite_with_rowid=False`
# stores them as WITHOUT ROWID tables on SQLite, so physical (dump) order is key order, not insertion
# order; InnoDB clusters by primary key anyway. PostgreSQL heap order and xmin follow the inserting
# transaction: lib.surveys rewrites a round's answers in random order on every submission there.


class SurveyRound(Base):
    __tablename__ = "survey_rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft / open / closed
    questions: Mapped[str] = mapped_column(Text)  # JSON list of {key, zh, en}
    eligible: Mapped[str | None] = mapped_column(Text)  # JSON {department_id: users} frozen at opening
    created_by: Mapped[str | None] = mapped_column(String(64))


class SurveySubmission(Base):
    """One anonymous submission: only its random id, round, the respondent's department and comment."""

    __tablename__ = "survey_submissions"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    comment: Mapped[str | None] = mapped_column(Text)


class SurveyRating(Base):
    """One score of a submission: keyed by the submission's random id, the rated department, question."""

    __tablename__ = "survey_ratings"
    __table_args__ = {"sqlite_with_rowid": False}
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("survey_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    to_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)


class SurveyParticipation(Base):
    """Who has answered a round; no time, no key shared with answers, stored in (round, user) order."""

    __tablename__ = "survey_participation"
    __table_args__ = {"sqlite_with_rowid": False}
    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class SurveyAnswerBuffer(Base):
    """Answers waiting to be written to survey_submissions/ratings in a shuffled batch of at least K (or
    when the round closes). Random id, the round and the answer as JSON; no user, no time."""

    __tablename__ = "survey_answer_buffer"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(Text)  # {"from": department id, "comment": ..., "ratings": [...]}


# --- case library -------------------------------------------------------------------------------------


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    case_date: Mapped[dt.date] = mapped_column(Date, index=True)
    platform: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    background: Mapped[str | None] = mapped_column(Text)
    highlights: Mapped[str | None] = mapped_column(Text)
    shortcomings: Mapped[str | None] = mapped_column(Text)
    improvements: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft/submitted/published/archived
    review_comment: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str | None] = mapped_column(Text)  # lower-cased title+body for word search
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see User.version


class CaseSession(Base):
    __tablename__ = "case_sessions"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )


class CaseTag(Base):
    __tablename__ = "case_tags"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class ActionItem(Base):
    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / done


class CaseRevision(Base):
    __tablename__ = "case_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(64))
    changes: Mapped[str] = mapped_column(Text)  # JSON {field: [old, new]}


# --- scorecards ---------------------------------------------------------------------------------------


class ScorecardDefinition(Base):
    """A position's scorecard from `month_from` on (versioned like targets)."""

    __tablename__ = "scorecard_definitions"
    __table_args__ = (UniqueConstraint("position_key", "month_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position_key: Mapped[str] = mapped_column(String(32))
    month_from: Mapped[str] = mapped_column(String(7))
    definition: Mapped[str] = mapped_column(Text)  # JSON: kpis [{metric, weight}], cap, grade bands
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see User.version


class FormSubmission(Base):
    """One row per form submission that wrote: its token is unique, so a resubmission cannot write twice."""

    __tablename__ = "form_submissions"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(64))
    result_id: Mapped[int | None] = mapped_column(Integer)  # what the write made (incident id, case id, ...)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


# --- period targets -----------------------------------------------------------------------------------


class PeriodTarget(Base):
    """A total to reach in one month or quarter (a month's GMV for a room, ...), read with pacing; never
    scaled by the sessions held. One row per metric, period and scope: an edit bumps `version`, a delete
    removes the row (both audited)."""

    __tablename__ = "period_targets"
    __table_args__ = (UniqueConstraint("metric", "period", "scope_kind", "scope_value"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(48))
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM or YYYY-Qn
    scope_kind: Mapped[str] = mapped_column(String(16))  # all / platform / room / team / person
    scope_value: Mapped[str] = mapped_column(String(128), default="")
    value: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # see User.version


# --- notify: chat-group robots, rules and the send log (lib.notify) -----------------------------------


class NotifyChannel(Base):
    """A group robot (WeCom, DingTalk, Feishu) or a generic JSON webhook. `url` and `secret` are secrets:
    shown only as their last 4 characters, never logged."""

    __tablename__ = "notify_channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # wecom / dingtalk / feishu / webhook
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class NotifyRule(Base):
    """Which message goes to which channel when, built as `audience` (an access role) would see it."""

    __tablename__ = "notify_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message: Mapped[str] = mapped_column(
        String(16)
    )  # brief / weekly / flags / sla / overdue / survey / approval
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"), index=True)
    at_time: Mapped[str | None] = mapped_column(String(5))  # HH:MM team time (scheduled messages)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)  # 1 = Monday ... 7 = Sunday
    audience: Mapped[str] = mapped_column(String(16), default="manager")
    quiet_from: Mapped[str | None] = mapped_column(String(5))  # HH:MM: events wait while quiet
    quiet_to: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class NotifySend(Base):
    """The send log: one row per (rule, period or event, channel), claimed by its unique key before the
    send. Folded events: the first row carries the message (body, attempts, answer); the others point to it."""

    __tablename__ = "notify_sends"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(190), unique=True)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_rules.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)  # sending / sent / failed / deferred / folded
    carried_by: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    items: Mapped[int] = mapped_column(Integer, default=1)  # events folded into this message
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str | None] = mapped_column(Text)  # JSON: the message as built (no secret)
    answer: Mapped[str | None] = mapped_column(Text)  # the platform's last answer (HTTP status + body)
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- planning (排期): planned sessions, their change history ------------------------------------------


class PlannedSession(Base):
    """One session in the schedule (排期表): where, who, when and for how long, with its script and forecast.

    People are kept by name as the schedule writes them (a planner may name someone before the roster
    has them). `ends_at` is stored so clash checks are one indexed range query.
    """

    __tablename__ = "planned_sessions"
    __table_args__ = (
        Index("ix_planned_sessions_room_start", "platform", "account", "starts_at"),
        Index("ix_planned_sessions_host_start", "host_name", "starts_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(128))  # the room: account id or room name
    host_name: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)
    theme: Mapped[str | None] = mapped_column(String(255))
    products: Mapped[str | None] = mapped_column(String(1000))
    ops_owner: Mapped[str | None] = mapped_column(String(64), index=True)  # 运营负责人
    content_owner: Mapped[str | None] = mapped_column(String(64), index=True)  # 内容负责人
    floor_manager: Mapped[str | None] = mapped_column(String(64))  # 场控
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned / cancelled
    forecast_gmv: Mapped[float | None] = mapped_column(Money)
    forecast_viewers: Mapped[int | None] = mapped_column(BigInteger)
    script_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    script_approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    script_text: Mapped[str | None] = mapped_column(Text)
    import_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # the schedule file's import
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PlannedSessionChange(Base):
    """Every change of a planned session (who, when, what); kept when the session is deleted."""

    __tablename__ = "planned_session_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planned_session_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create / update / cancel / delete / import / undo
    changes: Mapped[str] = mapped_column(Text)  # JSON {field: [old, new]}


# --- roll-ups (lib.rollups) --------------------------------------------------------------------------
# Sums of live_sessions per day x platform x room x host, kept in the same transaction as every write to
# the sessions (lib.rollups recomputes the touched days from the raw rows). One column per aggregate of
# the KPI sums (lib.kpis sum_columns labels; tests/rollups checks they agree): counts are never NULL,
# sums are NULL when no session of the key had the value (so "no data" stays None), peaks are MAX.
RollupCount = BigInteger()
RollupMoney = Numeric(18, 2, asdecimal=False)
SESSION_ROLLUP_MEASURES: dict[str, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    "sessions": RollupCount,
    "gmv__sessions": RollupCount,
    "gmv__gmv": RollupMoney,
    "viewers__sessions": RollupCount,
    "viewers__viewers": BigInteger,
    "views__sessions": RollupCount,
    "views__views": BigInteger,
    "peak_online__sessions": RollupCount,
    "peak_online__peak_online": Integer,
    "avg_watch_seconds__sessions": RollupCount,
    "avg_watch_seconds__avg_watch_seconds": Double,
    "avg_watch_seconds__avg_watch_seconds_w": Double,
    "avg_watch_seconds__avg_watch_seconds_v": BigInteger,
    "avg_watch_seconds__viewers": BigInteger,
    "interaction_rate__sessions": RollupCount,
    "interaction_rate__comments": BigInteger,
    "interaction_rate__likes": BigInteger,
    "interaction_rate__shares": BigInteger,
    "interaction_rate__viewers": BigInteger,
    "interaction_rate__questions": BigInteger,
    "conversion_rate__sessions": RollupCount,
    "conversion_rate__buyers": BigInteger,
    "conversion_rate__viewers": BigInteger,
    "uv_value__sessions": RollupCount,
    "uv_value__gmv": RollupMoney,
    "uv_value__viewers": BigInteger,
    "gpm__sessions": RollupCount,
    "gpm__gmv": RollupMoney,
    "gpm__views": BigInteger,
    "avg_order_value__sessions": RollupCount,
    "avg_order_value__gmv": RollupMoney,
    "avg_order_value__buyers": BigInteger,
    "orders__sessions": RollupCount,
    "orders__orders": BigInteger,
    "buyers__sessions": RollupCount,
    "buyers__buyers": BigInteger,
    "duration_hours__sessions": RollupCount,
    "duration_hours__duration_minutes": Double,
    "new_followers__sessions": RollupCount,
    "new_followers__new_followers": BigInteger,
    "retention_rate__sessions": RollupCount,
    "retention_rate__retention_rate": Double,
    "retention_rate__retention_rate_w": Double,
    "retention_rate__retention_rate_v": BigInteger,
    "retention_rate__viewers": BigInteger,
    "comment_reply_rate__sessions": RollupCount,
    "comment_reply_rate__questions_replied": BigInteger,
    "comment_reply_rate__questions": BigInteger,
    "share_rate__sessions": RollupCount,
    "share_rate__shares": BigInteger,
    "share_rate__viewers": BigInteger,
    "like_rate__sessions": RollupCount,
    "like_rate__likes": BigInteger,
    "like_rate__viewers": BigInteger,
    "funnel__sessions": RollupCount,
    "funnel__exposure_n": RollupCount,
    "funnel__exposure": BigInteger,
    "funnel__viewers": BigInteger,
    "funnel__product_clicks": BigInteger,
    "funnel__buyers": BigInteger,
    "durations__b0": RollupCount,
    "durations__b1": RollupCount,
    "durations__b2": RollupCount,
    "durations__b3": RollupCount,
    "durations__b4": RollupCount,
    "durations__b5": RollupCount,
    "durations__b6": RollupCount,
    "durations__b7": RollupCount,
    "durations__b8": RollupCount,
    "durations__b9": RollupCount,
    "durations__b10": RollupCount,
    "durations__b11": RollupCount,
    "durations__b12": RollupCount,
}
SessionRollup = Table(
    "session_rollups",
    Base.metadata,
    # No surrogate id: rows are recomputed, never addressed, and an undo leaves them exactly as they were.
    # (No unique key either: room and host may be NULL; one GROUP BY writes each key once.)
    Column("day", Date, nullable=False),
    Column("platform", String(16), nullable=False),
    Column("room", String(128)),
    Column("host_person_id", Integer),  # no foreign key: a deleted person's days are recomputed instead
    Column("host_name", String(128)),
    *(Column(name, kind, nullable=kind is not RollupCount) for name, kind in SESSION_ROLLUP_MEASURES.items()),
    Index("ix_session_rollups_day_platform", "day", "platform"),
    Index("ix_session_rollups_host_day", "host_person_id", "day"),
    Index("ix_session_rollups_room_day", "room", "day"),  # a changed key's month (lib.rollups.coarse)
)
# Coarser grains of the same sums (lib.rollups.coarse), kept from session_rollups in the same transaction:
# per month x platform x room x host (a month's ~30 day rows of a key in one) for the whole months of a
# range, and per day x platform for what filters and groups by nothing finer (the unfiltered trend, tiles).
SessionMonthRollup = Table(
    "session_month_rollups",
    Base.metadata,
    Column("month", Date, nullable=False),  # the month's first day
    Column("platform", String(16), nullable=False),
    Column("room", String(128)),
    Column("host_person_id", Integer),
    Column("host_name", String(128)),
    *(Column(name, kind, nullable=kind is not RollupCount) for name, kind in SESSION_ROLLUP_MEASURES.items()),
    Index("ix_session_month_rollups_month_platform", "month", "platform"),
    Index("ix_session_month_rollups_host_month", "host_person_id", "month"),
)
SessionPlatformDayRollup = Table(
    "session_platform_day_rollups",
    Base.metadata,
    Column("day", Date, nullable=False),
    Column("platform", String(16), nullable=False),
    *(Column(name, kind, nullable=kind is not RollupCount) for name, kind in SESSION_ROLLUP_MEASURES.items()),
    Index("ix_session_platform_day_rollups_day_platform", "day", "platform"),
)


# --- settings (lib.settings) ---------------------------------------------------------------------------


class SettingValue(Base):
    """A versioned setting figures depend on (schedule tolerances, script due rules): `value` is in force
    from the first day of `month_from` until the next row of the same key; before the first row, the
    default of lib.settings applies."""

    __tablename__ = "setting_values"
    __table_args__ = (UniqueConstraint("key", "month_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    month_from: Mapped[str] = mapped_column(String(7))
    value: Mapped[str] = mapped_column(String(255))
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- self-assessment ---
class SelfAssessment(Base):
    """A staff member's monthly self-assessment (月度自评表, seed 004): strengths, shortfalls and next
    month's plan, and their manager's comment. Private to the person, their manager and admins
    (lib/scorecards/selfassess.py); each save is audited without its text."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("person_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    strengths: Mapped[str] = mapped_column(Text)
    shortfalls: Mapped[str] = mapped_column(Text)
    next_plan: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime)
    manager_comment: Mapped[str | None] = mapped_column(Text)
    commented_by: Mapped[str | None] = mapped_column(String(64))
    commented_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


# --- incident roll-ups (lib.incidents.rollup) ----------------------------------------------------------
# Per detection day x category x severity x owner department: the counts the incident report reads (and
# the duration sums a mean needs), kept in the same transaction as every incident write. `met` is judged
# with the SLA table in force when each incident was detected (incident_slas.valid_from/valid_to), like the
# report's SQL; saving SLAs from a month recomputes the days from that month on, in the same transaction.
def _incident_rollup_measures() -> list[Column[Any]]:
    """The measure columns of the incident roll-ups (day and month): counts, duration sums and maxima, and
    the duration histograms (lib.core.durations DURATION_BIN_STARTS): how many respond / resolve durations
    fall in each bucket of ten bins, then in each bin. Columns, not rows: a row per bin would be about as
    many rows as incidents."""
    return [
        Column("incidents", BigInteger, nullable=False),
        Column("open", BigInteger, nullable=False),
        Column("resolved", BigInteger, nullable=False),
        Column("met", BigInteger, nullable=False),
        Column("responded", BigInteger, nullable=False),
        Column("respond_s_sum", Double),  # seconds detected -> responded, over the responded incidents
        Column("resolve_s_sum", Double),  # seconds detected -> resolved, over the resolved incidents
        Column("resolve_s_max", Double),
        Column("resolve_sla_max", Float),  # the largest resolve SLA (minutes) of the resolved incidents
        *(
            Column(name, Integer, nullable=False, server_default="0")
            for m in DURATION_MEASURES
            for name in histogram_columns(m)
        ),
    ]


def _incident_rollup_keys() -> list[Column[Any]]:
    return [
        Column("category", String(64), nullable=False),
        Column("severity", String(16), nullable=False),
        Column("owner_department_id", Integer),  # no foreign key: recomputed, never addressed
    ]


IncidentRollup = Table(
    "incident_rollups",
    Base.metadata,
    Column("day", Date, nullable=False),
    *_incident_rollup_keys(),
    *_incident_rollup_measures(),
    Index("ix_incident_rollups_day", "day"),
)
# The same per month (its first day) x category x severity x owner department, recomputed from the day rows
# of the months a write touched, in its transaction: a period's whole months read one row per key and month.
IncidentMonthRollup = Table(
    "incident_month_rollups",
    Base.metadata,
    Column("month", Date, nullable=False),
    *_incident_rollup_keys(),
    *_incident_rollup_measures(),
    Index("ix_incident_month_rollups_month", "month"),
)
# The report's filter options per detection day (lib.incidents.filter_values), kept with the roll-ups above:
# field platforms/rooms/hosts with the value, or handlers with the typed name and the roster id.
IncidentFilterValue = Table(
    "incident_filter_values",
    Base.metadata,
    Column("day", Date, nullable=False),
    Column("field", String(16), nullable=False),
    Column("value", String(128)),
    Column("person_id", Integer),  # no foreign key: recomputed, never addressed
    Index("ix_incident_filter_values_day", "day", "field"),
)
