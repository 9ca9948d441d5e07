"""incident roll-ups: per detection day x category x severity x owner department, the report's counts

Revision ID: rollups_2
Revises: assess_1
Create Date: 2026-12-07 07:40:00

Filled from the incidents already stored (the application's own GROUP BY, lib.incidents.rollup), so an
existing database's roll-ups are right from the first start; from then on every incident write keeps them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rollups_2"
down_revision: str | None = "assess_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_rollups",
        sa.Column("day", sa.Date(), nullable=False),
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
    )
    op.create_index("ix_incident_rollups_day", "incident_rollups", ["day"])
    from lib.incidents import rebuild_rollups

    bind = op.get_bind()
    rebuild_rollups(bind, sa.Table("incident_rollups", sa.MetaData(), autoload_with=bind))


def downgrade() -> None:
    op.drop_index("ix_incident_rollups_day", table_name="incident_rollups")
    op.drop_table("incident_rollups")
