"""Nothing raw on any page: every page x role x language on the demo data (plus the views a page shows
only on a link or an upload), with every visible text collected and none of it "None", "nan", NaT, a
field/catalogue key, an English unit or a Streamlit placeholder on a Chinese screen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib import importing
from lib.core import clock
from lib.core.access import PAGES
from lib.core.db import get_engine
from lib.core.i18n import translate
from lib.core.models import CaseSession, LiveSession, User
from lib.core.schema import INCIDENT_CATEGORIES
from lib.importing import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_MB
from lib.scorecards import set_promotion_bar
from tests.conftest import SAMPLES, app_test, wipe
from tests.foundation.raw_text import MD_ESCAPE, raw_texts, visible_texts

DEMO_NOW = "2026-11-20T15:00:00"
PROMOTION_BAR = 1  # low enough that the promotion table shows people
BAD_FILE = Path(__file__).resolve().parents[1] / "importing" / "bad_files" / "duration_9999_minutes.csv"
UNKNOWN_LAYOUT = "品类,备注\n家电,好\n".encode()
# Every import kind's file: each shows its preview as an upload, and its batch in the history.
KIND_SAMPLES = (
    "douyin_2026-11-02_2026-11-08.csv",
    "kuaishou_2026-11-02_2026-11-08.xlsx",
    "taobao_2026-11-02_2026-11-08.csv",
    "incidents_2026-11-02_2026-11-08.csv",
    "manual_metrics_2026-10.csv",
    "roster.csv",
    "session_detail/trend_xyjd2021_20261102_2000.csv",
    "session_detail/products_douyin_2026-11-02_2026-11-08.csv",
    "session_detail/sources_douyin_2026-11-02_2026-11-08.csv",
)
HISTORY_SAMPLES = tuple(name for name in KIND_SAMPLES if name != "roster.csv")  # the roster keeps the demo's


@dataclass(frozen=True)
class View:
    page: str
    name: str = ""
    query: dict = field(default_factory=dict, hash=False)
    upload: tuple[str, bytes] | None = None
    state: dict = field(default_factory=dict, hash=False)

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
        View("scorecards", "quarter", state={"sc_mode": "quarter"}),
        View("scorecards", "promotions", {"month": "2026-10"}),  # the demo's Q3 and Q4 both above the bar
    ]
    out += [
        View(
            "upload",
            name.split("/")[-1].split("_")[0],
            upload=(Path(name).name, (SAMPLES / name).read_bytes()),
        )
        for name in KIND_SAMPLES
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
        load_demo(eng, months=3, seed=42)
        for name in HISTORY_SAMPLES:  # every kind's batch in the upload history
            sample = SAMPLES / name
            report = importing.import_bytes(eng, sample.read_bytes(), sample.name, username="staff")
            assert report.ok, (name, report)
        set_promotion_bar(eng, "admin", PROMOTION_BAR)
        with eng.connect() as conn:
            ids = {
                "kuaishou": conn.execute(
                    sa.select(sa.func.min(LiveSession.id)).where(LiveSession.platform == "kuaishou")
                ).scalar(),
                "linked": conn.execute(sa.select(sa.func.min(CaseSession.case_id))).scalar(),
                # a login that is a person shows as the person's name (uploader, author), not the login
                "usernames": frozenset(
                    conn.execute(sa.select(User.username).where(User.person_id.is_not(None))).scalars()
                ),
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
        for key, value in view.state.items():
            at.session_state[key] = value
        at.run()
        if view.upload:
            name, data = view.upload
            at.file_uploader(key="upload_files").set_value((name, data, "text/csv")).run()
        return at

    return _run


@pytest.mark.one_database  # texts on the screen; every database runs the page tests that check figures
@pytest.mark.parametrize(("view", "role", "lang"), CASES)
def test_nothing_raw(page_run, demo, view, role, lang):
    at = page_run(view, role, lang)
    assert not at.exception, "\n".join(line for e in at.exception for line in e.stack_trace)
    # no "Select all" / "Select 54 matches" row: one tap must not pick everything a search matched
    assert all(m.proto.select_all == 0 for m in at.multiselect), [m.label for m in at.multiselect]
    logins = demo["usernames"] if view.page != "users" else frozenset()  # the users page lists logins
    found = raw_texts(at, lang, logins)
    texts = [text for _where, text in visible_texts(at)]
    if view.id == "session_detail:kuaishou":  # a Kuaishou session's review names Kuaishou's own tools
        found += [("review", text[:120], ["罗盘"]) for text in texts if "罗盘" in text or "Compass" in text]
    if lang == "en":  # the default incident categories by their English names (a cell, an option, an item)
        category = translate("incidents.form.category", lang)
        found += [
            ("category", text[:120], [name])
            for where, text in visible_texts(at)
            for name in INCIDENT_CATEGORIES
            if (text == name and category in where) or re.search(rf"#\d+ {re.escape(name)}( ·|$)", text)
        ]
    if view.page == "upload":  # the upload limit said once (not in the uploader's label and again below)
        limit = translate("importing.page.limit", lang, mb=MAX_UPLOAD_MB, rows=MAX_ROWS, columns=MAX_COLUMNS)
        shown = [text for text in texts if limit in MD_ESCAPE.sub(r"\1", text)]
        if len(shown) != 1:
            found.append(("upload limit", limit, [f"shown {len(shown)} times"]))
    assert not found, f"{len(found)} raw texts:\n" + "\n".join(
        f"  {parts} in {text!r} ({where})" for where, text, parts in found
    )
