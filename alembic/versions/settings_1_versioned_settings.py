"""settings: versioned setting values, versioned incident SLAs, retired positions

Revision ID: settings_1
Revises: like_rate_1
Create Date: 2026-12-07 07:30:00

- setting_values: a setting figures depend on (schedule tolerances, script due rules), in force from a month.
- incident_slas gets valid_from / valid_to: every existing row is the table in force since 2000-01-01, so
  the attainment of every past period is what it was; the unique key adds valid_from.
- positions gets `active` (a retired position stays on people and scorecards, is not offered for new ones).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "settings_1"
down_revision: str | None = "like_rate_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_UQ = "uq_incident_slas_category_id_severity"
NEW_UQ = "uq_incident_slas_category_id_severity_valid_from"


def upgrade() -> None:
    op.create_table(
        "setting_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("month_from", sa.String(length=7), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting_values")),
        sa.UniqueConstraint("key", "month_from", name=op.f("uq_setting_values_key_month_from")),
    )
    # A plain ADD COLUMN: batch mode would recreate `positions` on SQLite, which people reference.
    op.add_column("positions", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("incident_slas") as batch_op:
        batch_op.add_column(
            sa.Column("valid_from", sa.DateTime(), server_default="2000-01-01 00:00:00", nullable=False)
        )
        batch_op.add_column(sa.Column("valid_to", sa.DateTime(), nullable=True))
    # The new key first: on MariaDB the old one may be the index the category foreign key uses.
    with op.batch_alter_table("incident_slas") as batch_op:
        batch_op.create_unique_constraint(NEW_UQ, ["category_id", "severity", "valid_from"])
    with op.batch_alter_table("incident_slas") as batch_op:
        batch_op.drop_constraint(OLD_UQ, type_="unique")


def downgrade() -> None:
    # Only the SLA table in force now survives a downgrade (the old key allows one row per category/severity).
    op.execute(sa.text("DELETE FROM incident_slas WHERE valid_to IS NOT NULL"))
    with op.batch_alter_table("incident_slas") as batch_op:
        batch_op.create_unique_constraint(OLD_UQ, ["category_id", "severity"])
    with op.batch_alter_table("incident_slas") as batch_op:
        batch_op.drop_constraint(NEW_UQ, type_="unique")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would recreate `positions`, which people reference.
    op.drop_column("positions", "active")
    op.drop_table("setting_values")
