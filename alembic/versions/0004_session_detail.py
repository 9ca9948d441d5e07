"""session detail: per-minute trend, products and traffic sources of a session

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:44:49

Keyed by (session_id, ...) and clustered by it (SQLite WITHOUT ROWID, InnoDB's primary key), so one
session's rows are read by one index range; deleting a session deletes its detail rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_minutes",
        sa.Column(
            "session_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("minute", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("online", sa.Integer(), nullable=True),
        sa.Column("entering", sa.Integer(), nullable=True),
        sa.Column("leaving", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("new_followers", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("gmv_cents", sa.BigInteger(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_minutes_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "minute", name=op.f("pk_session_minutes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "session_products",
        sa.Column(
            "session_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("price", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("first_on_shelf", sa.DateTime(), nullable=True),
        sa.Column("explain_count", sa.Integer(), nullable=True),
        sa.Column("explain_seconds", sa.Integer(), nullable=True),
        sa.Column("exposure", sa.BigInteger(), nullable=True),
        sa.Column("clicks", sa.BigInteger(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.Column("gmv", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("refund", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_session_products_import_batch_id_import_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_products_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "product_id", name=op.f("pk_session_products")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("session_products", schema=None) as batch_op:
        batch_op.create_index("ix_session_products_product", ["product_id"], unique=False)

    op.create_table(
        "session_sources",
        sa.Column(
            "session_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("viewers", sa.BigInteger(), nullable=True),
        sa.Column("gmv", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_session_sources_import_batch_id_import_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_sources_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "source", name=op.f("pk_session_sources")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key may need first).
    op.drop_table("session_sources")
    op.drop_table("session_products")
    op.drop_table("session_minutes")
