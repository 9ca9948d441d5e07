"""coarser session roll-ups: per month x platform x room x host, and per day x platform

Revision ID: rollups_3
Revises: rollups_2
Create Date: 2026-12-07 10:45:00

The same sums as session_rollups at two coarser grains, so a page reads a month's key in one row and an
unfiltered trend in a few rows per day (lib.rollups.coarse). Both are filled here from session_rollups (the
application's own GROUP BY over the table as reflected), and from then on kept with it in every write's
transaction (the month rows of the keys a write changed: an index on session_rollups (room, day) finds
their day rows). The measure columns are frozen here as session_rollups has them at this revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rollups_3"
down_revision: str | None = "rollups_2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNT = sa.BigInteger()
MONEY = sa.Numeric(18, 2, asdecimal=False)
BIG = sa.BigInteger()
INT = sa.Integer()
FLOAT = sa.Double()
MEASURES = (
    ("sessions", COUNT),
    ("gmv__sessions", COUNT),
    ("gmv__gmv", MONEY),
    ("viewers__sessions", COUNT),
    ("viewers__viewers", BIG),
    ("views__sessions", COUNT),
    ("views__views", BIG),
    ("peak_online__sessions", COUNT),
    ("peak_online__peak_online", INT),
    ("avg_watch_seconds__sessions", COUNT),
    ("avg_watch_seconds__avg_watch_seconds", FLOAT),
    ("avg_watch_seconds__avg_watch_seconds_w", FLOAT),
    ("avg_watch_seconds__avg_watch_seconds_v", BIG),
    ("avg_watch_seconds__viewers", BIG),
    ("interaction_rate__sessions", COUNT),
    ("interaction_rate__comments", BIG),
    ("interaction_rate__likes", BIG),
    ("interaction_rate__shares", BIG),
    ("interaction_rate__viewers", BIG),
    ("interaction_rate__questions", BIG),
    ("conversion_rate__sessions", COUNT),
    ("conversion_rate__buyers", BIG),
    ("conversion_rate__viewers", BIG),
    ("uv_value__sessions", COUNT),
    ("uv_value__gmv", MONEY),
    ("uv_value__viewers", BIG),
    ("gpm__sessions", COUNT),
    ("gpm__gmv", MONEY),
    ("gpm__views", BIG),
    ("avg_order_value__sessions", COUNT),
    ("avg_order_value__gmv", MONEY),
    ("avg_order_value__buyers", BIG),
    ("orders__sessions", COUNT),
    ("orders__orders", BIG),
    ("buyers__sessions", COUNT),
    ("buyers__buyers", BIG),
    ("duration_hours__sessions", COUNT),
    ("duration_hours__duration_minutes", FLOAT),
    ("new_followers__sessions", COUNT),
    ("new_followers__new_followers", BIG),
    ("retention_rate__sessions", COUNT),
    ("retention_rate__retention_rate", FLOAT),
    ("retention_rate__retention_rate_w", FLOAT),
    ("retention_rate__retention_rate_v", BIG),
    ("retention_rate__viewers", BIG),
    ("comment_reply_rate__sessions", COUNT),
    ("comment_reply_rate__questions_replied", BIG),
    ("comment_reply_rate__questions", BIG),
    ("share_rate__sessions", COUNT),
    ("share_rate__shares", BIG),
    ("share_rate__viewers", BIG),
    ("like_rate__sessions", COUNT),
    ("like_rate__likes", BIG),
    ("like_rate__viewers", BIG),
    ("funnel__sessions", COUNT),
    ("funnel__exposure_n", COUNT),
    ("funnel__exposure", BIG),
    ("funnel__viewers", BIG),
    ("funnel__product_clicks", BIG),
    ("funnel__buyers", BIG),
    ("durations__b0", COUNT),
    ("durations__b1", COUNT),
    ("durations__b2", COUNT),
    ("durations__b3", COUNT),
    ("durations__b4", COUNT),
    ("durations__b5", COUNT),
    ("durations__b6", COUNT),
    ("durations__b7", COUNT),
    ("durations__b8", COUNT),
    ("durations__b9", COUNT),
    ("durations__b10", COUNT),
    ("durations__b11", COUNT),
    ("durations__b12", COUNT),
)


def _measures() -> list[sa.Column]:
    return [sa.Column(name, kind, nullable=kind is not COUNT) for name, kind in MEASURES]


def upgrade() -> None:
    op.create_table(
        "session_month_rollups",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=128), nullable=True),
        sa.Column("host_person_id", sa.Integer(), nullable=True),
        sa.Column("host_name", sa.String(length=128), nullable=True),
        *_measures(),
    )
    op.create_index("ix_session_month_rollups_month_platform", "session_month_rollups", ["month", "platform"])
    op.create_index(
        "ix_session_month_rollups_host_month", "session_month_rollups", ["host_person_id", "month"]
    )
    op.create_table(
        "session_platform_day_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        *_measures(),
    )
    op.create_index(
        "ix_session_platform_day_rollups_day_platform", "session_platform_day_rollups", ["day", "platform"]
    )
    # A write recomputes the month rows of the keys it changed: their day rows found by room.
    op.create_index("ix_session_rollups_room_day", "session_rollups", ["room", "day"])
    from lib.rollups import rebuild_coarse

    bind = op.get_bind()
    meta = sa.MetaData()
    rebuild_coarse(
        bind,
        sa.Table("session_rollups", meta, autoload_with=bind),
        sa.Table("session_month_rollups", meta, autoload_with=bind),
        sa.Table("session_platform_day_rollups", meta, autoload_with=bind),
    )


def downgrade() -> None:
    op.drop_index("ix_session_rollups_room_day", table_name="session_rollups")
    op.drop_index("ix_session_platform_day_rollups_day_platform", table_name="session_platform_day_rollups")
    op.drop_table("session_platform_day_rollups")
    op.drop_index("ix_session_month_rollups_host_month", table_name="session_month_rollups")
    op.drop_index("ix_session_month_rollups_month_platform", table_name="session_month_rollups")
    op.drop_table("session_month_rollups")
