"""Helpers for the import tests: sample bytes, a whole-database snapshot, the truth file."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from lib.core.models import Base

ROOT_DIR = Path(__file__).resolve().parents[2]
SAMPLES = ROOT_DIR / "tests" / "samples"
DOUYIN = "douyin_2026-11-02_2026-11-08.csv"
KUAISHOU = "kuaishou_2026-11-02_2026-11-08.xlsx"
TAOBAO = "taobao_2026-11-02_2026-11-08.csv"
INCIDENTS = "incidents_2026-11-02_2026-11-08.csv"
MANUAL = "manual_metrics_2026-10.csv"
ROSTER = "roster.csv"
PLATFORM_CODES = {"抖音": "douyin", "快手": "kuaishou", "淘宝": "taobao"}


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def truth() -> dict:
    return json.loads((SAMPLES / "truth_2026-11-02_2026-11-08.json").read_text(encoding="utf-8"))


def snapshot(engine: sa.Engine, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table (ordered by primary key): 'the database exactly as it was'."""
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return out


def douyin_lines() -> list[str]:
    return sample_bytes(DOUYIN).decode("utf-8-sig").splitlines()


def csv_bytes(lines: list[str], bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")
