"""The session-review sample week in a test database, for the review tests and the review/PK pages' tests.

load_review_week(engine) imports the roster, the Douyin session list and the incident log (the samples,
through the import pipeline), then writes the minute, product and source rows of
tests/samples/session_detail/truth_session_detail_*.json straight into the detail tables (the truth,
independent of the detail importer that the import tests check against it). It returns the stored ids of
the truth's sessions; truth() and truth_of() give the truth records."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from lib.core.db import write
from lib.core.models import LiveSession, SessionMinute, SessionProduct, SessionSource

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DETAIL = SAMPLES / "session_detail"
TRUTH = DETAIL / "truth_session_detail_2026-11-02_2026-11-08.json"
SESSION_FILES = ("roster.csv", "douyin_2026-11-02_2026-11-08.csv", "incidents_2026-11-02_2026-11-08.csv")
# The truth's sessions by a short name: (account, start).
XY_1102 = ("xyjd2021", "2026-11-02T20:00")  # runs past midnight (253 minutes), one major incident
XY_1103 = ("xyjd2021", "2026-11-03T20:00")  # the same host's next session (PK partner: XY_1102)
ZHOU_1102 = ("jjhw888", "2026-11-02T20:00")  # 周俊杰, network outage 22:03 → 22:16
CHEN_1102 = ("jjhw888", "2026-11-02T20:30")  # 陈子墨, same room, overlapping ZHOU_1102
CHEN_1103 = ("jjhw888", "2026-11-03T20:00")
ZHOU_1103 = ("jjhw888", "2026-11-03T14:00")


@dataclass(frozen=True)
class Loaded:
    ids: dict[tuple[str, str], int]  # (account, start ISO minute) -> live_sessions.id

    def __getitem__(self, key: tuple[str, str]) -> int:
        return self.ids[key]


def truth() -> list[dict]:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def truth_of(key: tuple[str, str]) -> dict:
    """The truth record {session, minutes, products, sources} of one session."""
    return next(t for t in truth() if (t["session"]["account"], t["session"]["start"]) == key)


def import_sessions(engine: Engine) -> None:
    """Roster, Douyin session list and incident log through the import pipeline (as a user would)."""
    from lib.importing import import_bytes

    for name in SESSION_FILES:
        report = import_bytes(engine, (SAMPLES / name).read_bytes(), name, username="t")
        assert report.ok, (name, report.problems)


def import_detail_files(engine: Engine) -> None:
    """The sample trend, product and source files through the import pipeline (sessions stored first)."""
    from lib.importing import import_bytes

    for path in sorted(DETAIL.glob("*.csv")):
        report = import_bytes(engine, path.read_bytes(), path.name, username="t")
        assert report.ok, (path.name, report.problems)


def session_ids(engine: Engine) -> dict[tuple[str, str], int]:
    ls = LiveSession.__table__
    out = {}
    with engine.connect() as conn:
        for record in truth():
            s = record["session"]
            found = conn.execute(
                select(ls.c.id).where(
                    ls.c.platform == "douyin",
                    ls.c.account == s["account"],
                    ls.c.host_name == s["host"],
                    ls.c.started_at == dt.datetime.fromisoformat(s["start"]),
                )
            ).scalar_one()
            out[(s["account"], s["start"])] = int(found)
    return out


def _minute_rows(session_id: int, record: dict) -> list[dict]:
    start = dt.datetime.fromisoformat(record["session"]["start"])
    rows = []
    for m in record["minutes"]:
        at = dt.datetime.fromisoformat(m["minute"])
        rows.append(
            {
                "session_id": session_id,
                "minute": int((at - start).total_seconds() // 60),
                **{k: m[k] for k in ("online", "entering", "leaving", "comments", "likes", "new_followers")},
                "orders": m["orders"],
                "gmv_cents": round(m["gmv"] * 100),
            }
        )
    return rows


def _product_rows(session_id: int, record: dict) -> list[dict]:
    keys = ("product_id", "price", "explain_count", "explain_seconds")
    keys += ("exposure", "clicks", "orders", "units")
    return [
        {
            "session_id": session_id,
            **{k: p[k] for k in keys},
            "name": p["product"],
            "first_on_shelf": dt.datetime.fromisoformat(p["first_on_shelf"]),
            "gmv": p["gmv"],
            "refund": p["refund"],
        }
        for p in record["products"]
    ]


def write_truth_details(engine: Engine, ids: dict[tuple[str, str], int], skip: tuple = ()) -> None:
    """The truth's minute, product and source rows of every session in `ids` (except those in `skip`)."""
    with write(engine) as conn:
        for record in truth():
            key = (record["session"]["account"], record["session"]["start"])
            if key in skip:
                continue
            sid = ids[key]
            conn.execute(insert(SessionMinute), _minute_rows(sid, record))
            conn.execute(insert(SessionProduct), _product_rows(sid, record))
            conn.execute(
                insert(SessionSource),
                [
                    {"session_id": sid, **{k: s[k] for k in ("source", "viewers", "gmv")}}
                    for s in record["sources"]
                ],
            )


def load_review_week(engine: Engine, skip: tuple = ()) -> Loaded:
    """Sessions and incidents through the importer, detail rows from the truth; the stored session ids.
    Sessions in `skip` get no detail rows (to test what a session without them shows)."""
    import_sessions(engine)
    ids = session_ids(engine)
    write_truth_details(engine, ids, skip)
    return Loaded(ids)
