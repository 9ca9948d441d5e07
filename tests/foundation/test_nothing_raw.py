"""Nothing raw on any page: every page x role x language on the demo data (plus the views a page shows
only on a link or an upload), with every visible text collected and none of it "None", "nan", NaT, a
field/catalogue key, an English unit or a Streamlit placeholder on a Chinese screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib import importing
from lib.core import clock
from lib.core.access import PAGES
from lib.core.db import get_engine
from lib.core.models import CaseSession, LiveSession
from tests.conftest import SAMPLES, app_test, wipe
from tests.foundation.raw_text import raw_texts

DEMO_NOW = "2026-11-20T15:00:00"
BAD_FILE = Path(__file__).resolve().parents[1] / "importing" / "bad_files" / "duration_9999_minutes.csv"
UNKNOWN_LAYOUT = "品类,备注\n家电,好\n".encode()


@dataclass(frozen=True)
class View:
    page: str
    name: str = ""
    query: dict = field(default_factory=dict, hash=False)
    upload: tuple[str, bytes] | None = None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.name}" if self.name else self.page


def _views() -> list[View]:
    out = [View(p.key) for p in PAGES if p.exists()]
    out += [
        View("kpis", "sessions", {"gran": "session", "by": "room"}),
        View("session_detail", "kuaishou", {"session": "kuaishou"}),  # resolved to an id on the demo data
        View("cases", "case", {"case": "linked"}),
        View("upload", "bad_file", upload=(BAD_FILE.name, BAD_FILE.read_bytes())),
        View("upload", "unknown_layout", upload=("layout.csv", UNKNOWN_LAYOUT)),
        View("scorecards", "quarter"),
    ]
    return out


VIEWS = _views()
ROLES = ("admin", "manager", "staff")
CASES = [
    pytest.param(view, role, lang, id=f"{view.id}-{role}-{lang}")
    for view in VIEWS
    for role in ROLES
    if role in next(p.roles for p in PAGES if p.key == view.page)
    for lang in ("zh", "en")
]


@pytest.fixture(scope="module")
def demo(database_url):
    """The demo data loaded once for the module (the clock pinned so its periods hold data)."""
    from lib.demo import load_demo

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIVEOPS_TEST_NOW", DEMO_NOW)
        mp.setenv("DATABASE_URL", database_url)
        clock.restart_test_clock()
        eng = get_engine(database_url)
        wipe(eng)
        load_demo(eng, months=2, seed=42)
        sample = SAMPLES / "douyin_2026-11-02_2026-11-08.csv"  # an upload in the history
        assert importing.import_bytes(eng, sample.read_bytes(), sample.name, username="staff").ok
        with eng.connect() as conn:
            ids = {
                "kuaishou": conn.execute(
                    sa.select(sa.func.min(LiveSession.id)).where(LiveSession.platform == "kuaishou")
                ).scalar(),
                "linked": conn.execute(sa.select(sa.func.min(CaseSession.case_id))).scalar(),
            }
        yield ids


@pytest.fixture
def page_run(demo, database_url, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("LIVEOPS_TEST_NOW", DEMO_NOW)
    monkeypatch.setenv("DATABASE_URL", database_url)
    clock.restart_test_clock()
    st.cache_data.clear()

    def _run(view: View, role: str, lang: str):
        at = app_test(f"pages/{view.page}.py", role)  # the demo logins are named after their roles
        at.session_state["lang"] = lang
        for key, value in view.query.items():
            at.query_params[key] = str(demo.get(value, value))
        if view.name == "quarter":
            at.session_state["sc_mode"] = "quarter"
        at.run()
        if view.upload:
            name, data = view.upload
            at.file_uploader(key="upload_files").set_value((name, data, "text/csv")).run()
        return at

    return _run


@pytest.mark.one_database  # texts on the screen; every database runs the page tests that check figures
@pytest.mark.parametrize(("view", "role", "lang"), CASES)
def test_nothing_raw(page_run, view, role, lang):
    at = page_run(view, role, lang)
    assert not at.exception, "\n".join(line for e in at.exception for line in e.stack_trace)
    # no "Select all" / "Select 54 matches" row: one tap must not pick everything a search matched
    assert all(m.proto.select_all == 0 for m in at.multiselect), [m.label for m in at.multiselect]
    found = raw_texts(at, lang)
    assert not found, f"{len(found)} raw texts:\n" + "\n".join(
        f"  {parts} in {text!r} ({where})" for where, text, parts in found
    )
