"""Douyin 巨量百应 (Buyin) 直播明细, a second layout of an existing platform (docs/extending.md, example
2): detected by its own headers under two title rows, stored equal to its truth field by field, and the
same sessions as the Compass list of that week (account, host and start; one account has two hosts
starting at once), which it completes with likes and
shares."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from import_helpers import DOUYIN, SAMPLES, sample_bytes

from lib import importing
from lib.core.models import LiveSession

BUYIN = "douyin_buyin_2026-11-02_2026-11-08.csv"
# Every field of a truth record is a stored column of the same name, but for these (keyed or named apart).
NOT_COLUMNS = ("session_id", "platform", "host", "start", "end")


def _truth() -> list[dict]:
    text = (SAMPLES / "truth_douyin_buyin_2026-11-02_2026-11-08.json").read_text(encoding="utf-8")
    return json.loads(text)["sessions"]


def _stored(engine) -> dict[tuple, dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(LiveSession.__table__)).mappings().all()
    return {(r["account"], r["host_name"], r["started_at"]): dict(r) for r in rows}


def test_buyin_layout_is_detected_and_matches_its_truth(engine):
    found = importing.preview(engine, sample_bytes(BUYIN), BUYIN)
    assert found.ok and (found.profile, found.kind, found.rows) == ("douyin_buyin", "sessions", 14)
    assert importing.profile_label(found.profile, "zh") == "巨量百应（直播明细）"
    report = importing.import_bytes(engine, sample_bytes(BUYIN), BUYIN, username="t")
    assert report.ok, [e.message("en") for e in report.errors]
    assert (report.inserted, report.updated, report.rejected) == (14, 0, 0)
    stored = _stored(engine)
    for s in _truth():
        start = dt.datetime.fromisoformat(s["start"])
        row = stored[(s["account"], s["host"], start)]
        assert row["platform"] == "douyin"
        assert row["ended_at"] == dt.datetime.fromisoformat(s["end"]), s["session_id"]
        for f in s.keys() - set(NOT_COLUMNS):
            assert row[f] == s[f], (s["session_id"], f)


def test_the_same_sessions_as_the_compass_list_completed_not_doubled(engine):
    importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    compass = _stored(engine)
    assert all(r["likes"] is None for r in compass.values())  # Compass exports no likes
    report = importing.import_bytes(engine, sample_bytes(BUYIN), BUYIN, username="t")
    assert report.ok and (report.inserted, report.updated) == (0, 14)
    stored = _stored(engine)
    assert set(stored) == set(compass)
    for s in _truth():
        row = stored[(s["account"], s["host"], dt.datetime.fromisoformat(s["start"]))]
        assert (row["likes"], row["shares"], row["gmv"]) == (s["likes"], s["shares"], s["gmv"])
        before = compass[(s["account"], s["host"], dt.datetime.fromisoformat(s["start"]))]
        assert row["exposure"] == before["exposure"] is not None  # what Buyin does not export stays
        assert row["refund_amount"] == before["refund_amount"]
    assert sum(r["refund_amount"] or 0 for r in stored.values()) > 0
