"""Migrating a database that already has sessions fills the new roll-ups from them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from rollup_data import csv_file

from lib import importing, rollups
from lib.core.models import SessionRollup
from lib.core.schema import alembic_config, upgrade


def test_the_migration_fills_the_rollups_from_stored_sessions(engine, users) -> None:
    rows = [
        "林晓雨,xyjd2021,2026/11/02 20:00:00,2026/11/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,",
        "陈子墨,jjhw888,2026/11/03 20:00:00,2026/11/03 21:00:00,,,2000,,,,,,,,,,,,20,,",
    ]
    assert importing.import_bytes(engine, csv_file(rows), "douyin_m.csv", users["admin"]).batch_id
    with engine.begin() as conn:  # back to before the roll-ups: the sessions stay, the table goes
        command.downgrade(alembic_config(conn), "rollups_1-1")
    assert "session_rollups" not in sa.inspect(engine).get_table_names()
    upgrade(engine)
    assert rollups.check(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.sum(SessionRollup.c.sessions))).scalar() == 2
