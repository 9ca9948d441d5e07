"""the like rate (点赞率): its covered sums in the session roll-ups and its default target

Revision ID: like_rate_1
Revises: rollups_1
Create Date: 2026-12-07 07:40:00

A new catalogue metric over a new combination of session columns (likes, viewers) needs its own covered
sums in session_rollups (docs/extending.md, example 1). The columns are frozen here; they are filled from
the raw sessions by the application's own GROUP BY (only the columns the table has at this revision). A
database whose reference data was already seeded also gets the seed's default target (≥ 70 %); a new
database gets it from the catalogue when the reference data is seeded.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "like_rate_1"
down_revision: str | None = "rollups_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("like_rate__sessions", "like_rate__likes", "like_rate__viewers")


def _column(name: str) -> sa.Column:
    if name.endswith("__sessions"):  # a count is never NULL: 0 until the rebuild below fills it
        return sa.Column(name, sa.BigInteger(), nullable=False, server_default="0")
    return sa.Column(name, sa.BigInteger(), nullable=True)


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("session_rollups", _column(name))
    from lib.rollups import rebuild_connection

    bind = op.get_bind()
    rebuild_connection(bind, sa.Table("session_rollups", sa.MetaData(), autoload_with=bind))
    meta = sa.MetaData()
    settings = sa.Table("app_settings", meta, autoload_with=bind)
    targets = sa.Table("targets", meta, autoload_with=bind)
    seeded = bind.execute(sa.select(settings.c.value).where(settings.c.key == "reference_seeded")).scalar()
    exists = bind.execute(sa.select(targets.c.id).where(targets.c.metric == "like_rate")).first()
    if seeded == "1" and not exists:
        bind.execute(
            targets.insert().values(
                metric="like_rate",
                scope_kind="all",
                scope_value="",
                month_from="2020-01",
                kind="at_least",
                value=0.70,
                value_high=None,
                period="session",
                set_by="system",
                set_at=dt.datetime(2020, 1, 1),
            )
        )


def downgrade() -> None:
    targets = sa.Table("targets", sa.MetaData(), autoload_with=op.get_bind())
    op.execute(targets.delete().where(targets.c.metric == "like_rate", targets.c.set_by == "system"))
    with op.batch_alter_table("session_rollups") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
