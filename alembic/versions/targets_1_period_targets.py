"""period targets: a month's or quarter's total per metric and scope, read with pacing

Revision ID: targets_1
Revises: 0004
Create Date: 2026-12-07 04:20:00

One row per (metric, period, scope_kind, scope_value); `version` lets an edit based on an older row be
refused. Never scaled by sessions held (SPEC "Comparisons and targets").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "targets_1"
down_revision: str | None = "defs_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scope_kind", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("metric", "period", "scope_kind", "scope_value"),
    )
    op.create_index(op.f("ix_period_targets_period"), "period_targets", ["period"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_period_targets_period"), table_name="period_targets")
    op.drop_table("period_targets")
