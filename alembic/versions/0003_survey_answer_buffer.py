"""survey answer buffer: answers wait here until a shuffled batch of at least K is written

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_answer_buffer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_rounds.id"],
            name=op.f("fk_survey_answer_buffer_round_id_survey_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer_buffer")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_survey_answer_buffer_round_id"), "survey_answer_buffer", ["round_id"], unique=False
    )


def downgrade() -> None:
    # Dropping the table drops its index; MariaDB refuses to drop the index first (its foreign key needs it).
    op.drop_table("survey_answer_buffer")
