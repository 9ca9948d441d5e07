"""incident month roll-ups: the incident roll-ups per month x category x severity x owner department

Revision ID: rollups_6
Revises: rollups_5
Create Date: 2026-12-07 14:20:00

`incident_month_rollups` has the columns of `incident_rollups` with `month` (its first day) for `day`
(lib.incidents.month_rollup): derived data, created and filled from the stored day rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lib.core.durations import DURATION_MEASURES, histogram_columns

revision: str = "rollups_6"
down_revision: str | None = "rollups_5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_month_rollups",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("owner_department_id", sa.Integer(), nullable=True),
        sa.Column("incidents", sa.BigInteger(), nullable=False),
        sa.Column("open", sa.BigInteger(), nullable=False),
        sa.Column("resolved", sa.BigInteger(), nullable=False),
        sa.Column("met", sa.BigInteger(), nullable=False),
        sa.Column("responded", sa.BigInteger(), nullable=False),
        sa.Column("respond_s_sum", sa.Double(), nullable=True),
        sa.Column("resolve_s_sum", sa.Double(), nullable=True),
        sa.Column("resolve_s_max", sa.Double(), nullable=True),
        sa.Column("resolve_sla_max", sa.Float(), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for m in DURATION_MEASURES
            for name in histogram_columns(m)
        ),
    )
    op.create_index("ix_incident_month_rollups_month", "incident_month_rollups", ["month"])
    from lib.incidents import month_rollup

    bind = op.get_bind()
    reflected = sa.MetaData()
    month_rollup.rebuild(
        bind,
        sa.Table("incident_rollups", reflected, autoload_with=bind),
        sa.Table("incident_month_rollups", reflected, autoload_with=bind),
    )


def downgrade() -> None:
    op.drop_index("ix_incident_month_rollups_month", table_name="incident_month_rollups")
    op.drop_table("incident_month_rollups")
