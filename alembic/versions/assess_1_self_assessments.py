"""self-assessments: a staff member's monthly 月度自评表 and their manager's comment

Revision ID: assess_1
Revises: settings_1
Create Date: 2026-12-07 07:30:00

One row per (person, month); `version` lets an edit based on an older row be refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "assess_1"
down_revision: str | None = "settings_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("shortfalls", sa.Text(), nullable=False),
        sa.Column("next_plan", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("manager_comment", sa.Text(), nullable=True),
        sa.Column("commented_by", sa.String(length=64), nullable=True),
        sa.Column("commented_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("self_assessments")
