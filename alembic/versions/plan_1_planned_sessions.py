"""planning: planned sessions (the schedule, 排期表) and their change history

Revision ID: plan_1
Revises: defs_1
Create Date: 2026-12-07 05:00:00

Chained after defs_1 (already on main, also on 0004) so this branch has one head; the coordinator
re-chains migrations when merging.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "plan_1"
down_revision: str | None = "notify_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planned_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=128), nullable=False),
        sa.Column("host_name", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("theme", sa.String(length=255), nullable=True),
        sa.Column("products", sa.String(length=1000), nullable=True),
        sa.Column("ops_owner", sa.String(length=64), nullable=True),
        sa.Column("content_owner", sa.String(length=64), nullable=True),
        sa.Column("floor_manager", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("forecast_gmv", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("forecast_viewers", sa.BigInteger(), nullable=True),
        sa.Column("script_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("script_approved_at", sa.DateTime(), nullable=True),
        sa.Column("script_text", sa.Text(), nullable=True),
        sa.Column("import_ref", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_sessions")),
    )
    op.create_index(
        "ix_planned_sessions_room_start", "planned_sessions", ["platform", "account", "starts_at"]
    )
    op.create_index("ix_planned_sessions_host_start", "planned_sessions", ["host_name", "starts_at"])
    for col in ("ops_owner", "content_owner", "import_ref"):
        op.create_index(op.f(f"ix_planned_sessions_{col}"), "planned_sessions", [col])
    op.create_table(
        "planned_session_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_session_changes")),
    )
    op.create_index(
        op.f("ix_planned_session_changes_planned_session_id"),
        "planned_session_changes",
        ["planned_session_id"],
    )


def downgrade() -> None:
    op.drop_table("planned_session_changes")
    op.drop_table("planned_sessions")
