"""notify: chat-group channels, rules, the send log; people's chat user id for @-mentions

Revision ID: notify_1
Revises: 0004
Create Date: 2026-12-07 04:20:00

`notify_sends.key` is unique: a send is claimed by inserting its row before the robot is called, so two
overlapping `notify --due` runs (or two hosts) send a message once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_1"
down_revision: str | None = "targets_1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_user_id", sa.String(length=64), nullable=True))
    op.create_table(
        "notify_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_channels")),
        sa.UniqueConstraint("name", name=op.f("uq_notify_channels_name")),
    )
    op.create_table(
        "notify_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=True),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_to", sa.String(length=5), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["notify_channels.id"],
            name=op.f("fk_notify_rules_channel_id_notify_channels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_rules")),
    )
    with op.batch_alter_table("notify_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_rules_channel_id"), ["channel_id"], unique=False)
    op.create_table(
        "notify_sends",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=190), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("carried_by", BIG_ID, nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["notify_channels.id"],
            name=op.f("fk_notify_sends_channel_id_notify_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["notify_rules.id"],
            name=op.f("fk_notify_sends_rule_id_notify_rules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_sends")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_sends_key")),
    )
    with op.batch_alter_table("notify_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_sends_carried_by"), ["carried_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_sends_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_sends_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_sends_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_sends_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("notify_sends")
    op.drop_table("notify_rules")
    op.drop_table("notify_channels")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("chat_user_id")
