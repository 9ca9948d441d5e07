"""session roll-ups: per day x platform x room x host, the sums the KPI page reads

Revision ID: rollups_1
Revises: defs_1 (the head of main when this branch began; the task said 0004, which would give two heads)
Create Date: 2026-12-07 05:15:00

The table is filled from the raw sessions here (the same GROUP BY lib.rollups uses), so an existing
database's roll-ups are right from the first start; from then on every write to the sessions keeps them.
The columns are frozen here (a migration must not follow later edits of the metric catalogue).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rollups_1"
down_revision: str | None = "plan_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=128), nullable=True),
        sa.Column("host_person_id", sa.Integer(), nullable=True),
        sa.Column("host_name", sa.String(length=128), nullable=True),
        sa.Column("sessions", sa.BigInteger(), nullable=False),
        sa.Column("gmv__sessions", sa.BigInteger(), nullable=False),
        sa.Column("gmv__gmv", sa.Numeric(18, 2, asdecimal=False), nullable=True),
        sa.Column("viewers__sessions", sa.BigInteger(), nullable=False),
        sa.Column("viewers__viewers", sa.BigInteger(), nullable=True),
        sa.Column("views__sessions", sa.BigInteger(), nullable=False),
        sa.Column("views__views", sa.BigInteger(), nullable=True),
        sa.Column("peak_online__sessions", sa.BigInteger(), nullable=False),
        sa.Column("peak_online__peak_online", sa.Integer(), nullable=True),
        sa.Column("avg_watch_seconds__sessions", sa.BigInteger(), nullable=False),
        sa.Column("avg_watch_seconds__avg_watch_seconds", sa.Double(), nullable=True),
        sa.Column("avg_watch_seconds__avg_watch_seconds_w", sa.Double(), nullable=True),
        sa.Column("avg_watch_seconds__avg_watch_seconds_v", sa.BigInteger(), nullable=True),
        sa.Column("avg_watch_seconds__viewers", sa.BigInteger(), nullable=True),
        sa.Column("interaction_rate__sessions", sa.BigInteger(), nullable=False),
        sa.Column("interaction_rate__comments", sa.BigInteger(), nullable=True),
        sa.Column("interaction_rate__likes", sa.BigInteger(), nullable=True),
        sa.Column("interaction_rate__shares", sa.BigInteger(), nullable=True),
        sa.Column("interaction_rate__viewers", sa.BigInteger(), nullable=True),
        sa.Column("interaction_rate__questions", sa.BigInteger(), nullable=True),
        sa.Column("conversion_rate__sessions", sa.BigInteger(), nullable=False),
        sa.Column("conversion_rate__buyers", sa.BigInteger(), nullable=True),
        sa.Column("conversion_rate__viewers", sa.BigInteger(), nullable=True),
        sa.Column("uv_value__sessions", sa.BigInteger(), nullable=False),
        sa.Column("uv_value__gmv", sa.Numeric(18, 2, asdecimal=False), nullable=True),
        sa.Column("uv_value__viewers", sa.BigInteger(), nullable=True),
        sa.Column("gpm__sessions", sa.BigInteger(), nullable=False),
        sa.Column("gpm__gmv", sa.Numeric(18, 2, asdecimal=False), nullable=True),
        sa.Column("gpm__views", sa.BigInteger(), nullable=True),
        sa.Column("avg_order_value__sessions", sa.BigInteger(), nullable=False),
        sa.Column("avg_order_value__gmv", sa.Numeric(18, 2, asdecimal=False), nullable=True),
        sa.Column("avg_order_value__buyers", sa.BigInteger(), nullable=True),
        sa.Column("orders__sessions", sa.BigInteger(), nullable=False),
        sa.Column("orders__orders", sa.BigInteger(), nullable=True),
        sa.Column("buyers__sessions", sa.BigInteger(), nullable=False),
        sa.Column("buyers__buyers", sa.BigInteger(), nullable=True),
        sa.Column("duration_hours__sessions", sa.BigInteger(), nullable=False),
        sa.Column("duration_hours__duration_minutes", sa.Double(), nullable=True),
        sa.Column("new_followers__sessions", sa.BigInteger(), nullable=False),
        sa.Column("new_followers__new_followers", sa.BigInteger(), nullable=True),
        sa.Column("retention_rate__sessions", sa.BigInteger(), nullable=False),
        sa.Column("retention_rate__retention_rate", sa.Double(), nullable=True),
        sa.Column("retention_rate__retention_rate_w", sa.Double(), nullable=True),
        sa.Column("retention_rate__retention_rate_v", sa.BigInteger(), nullable=True),
        sa.Column("retention_rate__viewers", sa.BigInteger(), nullable=True),
        sa.Column("comment_reply_rate__sessions", sa.BigInteger(), nullable=False),
        sa.Column("comment_reply_rate__questions_replied", sa.BigInteger(), nullable=True),
        sa.Column("comment_reply_rate__questions", sa.BigInteger(), nullable=True),
        sa.Column("share_rate__sessions", sa.BigInteger(), nullable=False),
        sa.Column("share_rate__shares", sa.BigInteger(), nullable=True),
        sa.Column("share_rate__viewers", sa.BigInteger(), nullable=True),
        sa.Column("funnel__sessions", sa.BigInteger(), nullable=False),
        sa.Column("funnel__exposure_n", sa.BigInteger(), nullable=False),
        sa.Column("funnel__exposure", sa.BigInteger(), nullable=True),
        sa.Column("funnel__viewers", sa.BigInteger(), nullable=True),
        sa.Column("funnel__product_clicks", sa.BigInteger(), nullable=True),
        sa.Column("funnel__buyers", sa.BigInteger(), nullable=True),
        sa.Column("durations__b0", sa.BigInteger(), nullable=False),
        sa.Column("durations__b1", sa.BigInteger(), nullable=False),
        sa.Column("durations__b2", sa.BigInteger(), nullable=False),
        sa.Column("durations__b3", sa.BigInteger(), nullable=False),
        sa.Column("durations__b4", sa.BigInteger(), nullable=False),
        sa.Column("durations__b5", sa.BigInteger(), nullable=False),
        sa.Column("durations__b6", sa.BigInteger(), nullable=False),
        sa.Column("durations__b7", sa.BigInteger(), nullable=False),
        sa.Column("durations__b8", sa.BigInteger(), nullable=False),
        sa.Column("durations__b9", sa.BigInteger(), nullable=False),
        sa.Column("durations__b10", sa.BigInteger(), nullable=False),
        sa.Column("durations__b11", sa.BigInteger(), nullable=False),
        sa.Column("durations__b12", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_session_rollups_day_platform", "session_rollups", ["day", "platform"])
    op.create_index("ix_session_rollups_host_day", "session_rollups", ["host_person_id", "day"])
    # Fill from the sessions already stored, with the application's own GROUP BY, limited to the columns
    # this revision created (the table as reflected here, not as the models may later grow).
    from lib.rollups import rebuild_connection

    bind = op.get_bind()
    rebuild_connection(bind, sa.Table("session_rollups", sa.MetaData(), autoload_with=bind))


def downgrade() -> None:
    op.drop_index("ix_session_rollups_host_day", table_name="session_rollups")
    op.drop_index("ix_session_rollups_day_platform", table_name="session_rollups")
    op.drop_table("session_rollups")
