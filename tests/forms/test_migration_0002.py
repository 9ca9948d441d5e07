"""Migration 0002 on a database that already has data: versions start at 1, tokens table appears, and the
downgrade removes both."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from lib.core.schema import alembic_config, upgrade


def test_upgrade_from_0001_keeps_rows_and_starts_versions_at_1(engine):
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    assert "form_submissions" not in sa.inspect(engine).get_table_names()
    stamp = dt.datetime(2026, 11, 30, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (username, display_name, role, password_hash, active, failed_logins, created_at)"
                " VALUES ('old_user', 'Old', 'staff', 'x', :t, 0, :at)"
            ),
            {"t": True, "at": stamp},
        )
        conn.execute(
            sa.text(
                "INSERT INTO cases (title, case_date, author, status, created_at, updated_at)"
                " VALUES ('旧案例', :d, 'old_user', 'draft', :at, :at)"
            ),
            {"d": stamp.date(), "at": stamp},
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM users WHERE username = 'old_user'")).scalar() == 1
        assert conn.execute(sa.text("SELECT version FROM cases")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM form_submissions")).scalar() == 0
