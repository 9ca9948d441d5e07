"""Migrations (Alembic, applied at start-up and by `lib.cli init-db`) and the reference data every
database starts with: departments, positions, incident categories and SLAs, SPEC's default targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, insert, inspect, select

from lib.core.db import ROOT, get_engine, get_setting, set_setting
from lib.core.metrics import CATALOGUE
from lib.core.models import (
    DataVersion,
    Department,
    IncidentCategory,
    IncidentSla,
    LiveSession,
    Person,
    Position,
    Target,
)

ALEMBIC_INI = ROOT / "alembic.ini"

DEPARTMENTS = ("主播部", "运营部", "技术部", "内容部", "客服部")
# key, 中文, English: positions (岗位) that a scorecard can measure.
POSITIONS = (
    ("host", "主播", "Host"),
    ("operations", "运营", "Operations"),
    ("field_control", "场控", "Field control"),
    ("tech_support", "技术支持", "Tech support"),
    ("content_planner", "内容策划", "Content planner"),
    ("customer_service", "客服", "Customer service"),
    ("data_analyst", "数据分析", "Data analyst"),
)
INCIDENT_CATEGORIES = (
    "网络中断",
    "推流/画面卡顿",
    "设备故障",
    "商品信息错误",
    "库存/补货",
    "价格异常",
    "主播突发状况",
    "违规预警",
    "负面评论/舆情",
    "其他",
)
# severity -> (respond, resolve, meeting) minutes; per-category overrides below (SPEC, Incidents). Resolve:
# seed 000 (simple 5, complex 10); a response limit always fits inside the resolve limit (seed 004's 10
# minutes is the longest an @-mention may go unanswered, not a response SLA).
DEFAULT_SLAS = {"simple": (2, 5, None), "complex": (5, 10, None), "major": (5, 10, 30)}
CATEGORY_SLAS = {"负面评论/舆情": 3, "价格异常": 30}  # resolve minutes for every severity


def default_sla_rows() -> list[tuple[str | None, str, float, float, float | None]]:
    """The SLA table a database starts with: (category or None for all, severity, respond, resolve,
    meeting); a category's resolve limit caps its response limit (negative comments: 3 minutes)."""
    rows: list[tuple[str | None, str, float, float, float | None]] = [
        (None, sev, respond, resolve, meeting) for sev, (respond, resolve, meeting) in DEFAULT_SLAS.items()
    ]
    for name, resolve in CATEGORY_SLAS.items():
        for sev, (respond, _default_resolve, meeting) in DEFAULT_SLAS.items():
            rows.append((name, sev, min(respond, resolve), resolve, meeting))
    return rows


DEFAULT_TARGETS_FROM = "2020-01"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(Path(ROOT) / "alembic"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine | None = None) -> None:
    """Migrate to head and make sure the reference data exists (idempotent, safe on every start)."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with engine.begin() as conn:
        seed_reference(conn)


def is_empty(engine: Engine | None = None) -> bool:
    """True when the database has no live sessions and no people (a fresh install)."""

    engine = engine or get_engine()
    if not inspect(engine).has_table("people"):
        return True
    with engine.connect() as conn:
        return (
            conn.execute(select(Person.id).limit(1)).first() is None
            and conn.execute(select(LiveSession.id).limit(1)).first() is None
        )


def seed_reference(conn: Connection) -> None:
    if conn.execute(select(DataVersion.id).where(DataVersion.id == 1)).first() is None:
        conn.execute(insert(DataVersion).values(id=1, version=1))
    if get_setting(conn, "import_lock") is None:  # the row imports and undos lock first (FOR UPDATE)
        set_setting(conn, "import_lock", "")
    if get_setting(conn, "reference_seeded") == "1":
        return
    # One statement per table (executemany): a test database is wiped and seeded before every test.
    conn.execute(insert(Department), [{"name": name} for name in DEPARTMENTS])
    conn.execute(insert(Position), [{"key": k, "name_zh": zh, "name_en": en} for k, zh, en in POSITIONS])
    conn.execute(
        insert(IncidentCategory),
        [
            {"name": name, "sort_order": order, "active": True}
            for order, name in enumerate(INCIDENT_CATEGORIES)
        ],
    )
    category_ids = dict(  # the newest row of each name: the ones just inserted
        conn.execute(
            select(IncidentCategory.name, IncidentCategory.id)
            .where(IncidentCategory.name.in_(INCIDENT_CATEGORIES))
            .order_by(IncidentCategory.id)
        ).all()
    )
    conn.execute(
        insert(IncidentSla),
        [
            {
                "category_id": None if category is None else category_ids[category],
                "severity": severity,
                "respond_minutes": respond,
                "resolve_minutes": resolve,
                "meeting_minutes": meeting,
            }
            for category, severity, respond, resolve, meeting in default_sla_rows()
        ],
    )
    stamp = dt.datetime(2020, 1, 1)
    conn.execute(
        insert(Target),
        [
            {
                "metric": m.key,
                "scope_kind": "all",
                "scope_value": "",
                "month_from": DEFAULT_TARGETS_FROM,
                "kind": m.default_target[0],
                "value": m.default_target[1],
                "value_high": m.default_target[2],
                "period": m.target_period,
                "set_by": "system",
                "set_at": stamp,
            }
            for m in CATALOGUE
            if m.default_target is not None
        ],
    )
    set_setting(conn, "reference_seeded", "1")
