"""Issue 14, the home page: what needs me now, per access role, on the demo data at a fixed clock.

Each card's count is computed here from the database or from the function of the page its link opens,
and following the link (the page run with the link's query string) shows the same number there."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import and_, func, select

from lib import incidents as inc
from lib import kpis, surveys
from lib.core import auth, clock
from lib.core.access import PAGE_BY_KEY
from lib.core.i18n import translate
from lib.core.models import ActionItem, Case, Incident, User
from lib.demo import DEMO_LOGINS, load_demo
from tests.conftest import app_test

NOW = "2026-11-24T20:30"  # a Tuesday evening with sessions live; demo data of two months before it
TODAY = dt.date(2026, 11, 24)


def zh(key: str, **params) -> str:
    return translate(key, "zh", **params)


@pytest.fixture
def demo(engine, clock_at):
    clock_at(NOW)
    load_demo(engine, months=2, seed=5)
    return engine


def home(username: str):
    at = app_test("app.py", username).run()  # through the router: links exist only there
    assert not at.exception, at.exception
    return at


def texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def link(at, label_key: str) -> tuple[str, dict[str, str]]:
    """(page key, query) of the one link labelled `label_key`."""
    found = [p.proto for p in at.page_link if p.proto.label == zh(label_key)]
    assert len(found) == 1, [p.proto.label for p in at.page_link]
    return found[0].page, dict(parse_qsl(found[0].query_string))


def follow(username: str, page: str, query: dict[str, str]):
    """The page a link opens, run with the link's query string."""
    at = app_test(PAGE_BY_KEY[page].path, username)
    for key, value in query.items():
        at.query_params[key] = value
    at = at.run()
    assert not at.exception, at.exception
    return at


def my_items(engine, username: str) -> tuple[int, int]:
    """(open, overdue) action items owned by the user's roster person, of submitted or published cases."""
    with engine.connect() as conn:
        person = conn.execute(select(User.person_id).where(User.username == username)).scalar()
        query = (
            select(func.count())
            .select_from(ActionItem)
            .join(Case, Case.id == ActionItem.case_id)
            .where(
                ActionItem.owner_person_id == person,
                ActionItem.status == "open",
                Case.status.in_(("submitted", "published")),
            )
        )
        return (
            conn.execute(query).scalar_one(),
            conn.execute(query.where(ActionItem.due_on < TODAY)).scalar_one(),
        )


def incident_counts(engine) -> tuple[int, int]:
    """(open, over SLA without a reason) detected in the last 30 days: open ones counted from the table,
    the breaches by the report's own list (its SLA judgement)."""
    start = TODAY - dt.timedelta(days=29)
    in_period = and_(
        Incident.detected_at >= dt.datetime.combine(start, dt.time()),
        Incident.detected_at < dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time()),
    )
    with engine.connect() as conn:
        opened = conn.execute(
            select(func.count()).where(in_period, Incident.resolved_at.is_(None))
        ).scalar_one()
    return opened, len(inc.breaches(engine, inc.ReportFilter(start, TODAY), True))


def test_demo_logins_are_roster_people_who_may_answer(demo):
    with demo.connect() as conn:
        linked = dict(conn.execute(select(User.username, User.person_id)).all())
    assert set(linked) == set(DEMO_LOGINS) and None not in linked.values()
    for username in DEMO_LOGINS:
        user_id = _user_id(demo, username)
        assert surveys.may_answer(demo, user_id)
        assert surveys.open_round_for(demo, user_id) is not None


def _user_id(engine, username: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(User.id).where(User.username == username)).scalar_one()


def test_home_flags_are_the_kpi_pages_flags_one_by_one(demo):
    """The home page's (and the push messages') red flags are the KPI page's over the same 7 days: host,
    metric, value, reference and reason, in the same order (one path per figure)."""
    start, end = TODAY - dt.timedelta(days=6), TODAY
    on_the_page = kpis.kpi_view(demo, kpis.Filters(start, end), "day", "host").flags
    assert on_the_page and kpis.recent_flags(demo, clock.now()) == on_the_page


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_red_flags_count_and_link_to_the_kpi_page(demo, role):
    start, end = TODAY - dt.timedelta(days=6), TODAY
    flags = kpis.kpi_view(demo, kpis.Filters(start, end), "day", "host").flags  # the KPI page's own
    assert flags, "the demo week should have red flags"
    at = home(role)
    assert zh("overview.flags_head", n=len(flags), days=7, start=start, end=end) in texts(at)
    page, query = link(at, "overview.flags_go")
    assert (page, query) == ("kpis", {"preset": "custom", "from": str(start), "to": str(end)})
    kpi = follow(role, page, query)
    shown = next(d for d in kpi.dataframe if zh("kpis.reason") in d.value.columns)  # the red flags
    assert len(shown.value) == len(flags)


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_incidents_count_and_link(demo, role):
    for minutes in (25, 10):  # two incidents of tonight's sessions still open, logged as staff would
        detected = dt.datetime(2026, 11, 24, 20, 30) - dt.timedelta(minutes=minutes)
        inc.create_incident(demo, inc.IncidentInput("设备故障", "simple", detected), "staff")
    opened, no_reason = incident_counts(demo)
    assert opened >= 2 and no_reason > 0
    at = home(role)
    start = TODAY - dt.timedelta(days=29)
    head = zh("overview.incidents_head", open=opened, unexplained=no_reason, start=start, end=TODAY)
    assert head in texts(at)
    if role == "staff":  # the report is the managers'; staff add reasons in the log
        assert link(at, "overview.incidents_go_log") == ("incidents", {})
        return
    page, query = link(at, "overview.incidents_go_report")
    assert (page, query) == ("incident_report", {"from": str(start), "to": str(TODAY)})
    report = follow(role, page, query)
    subheaders = [s.value for s in report.subheader]
    assert f"{zh('incidents.report.missing_reasons')} ({no_reason})" in subheaders, subheaders
    assert f"{zh('incidents.report.open')} ({opened})" in subheaders, subheaders


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_cases_waiting_for_approval_for_managers_only(demo, role):
    with demo.connect() as conn:
        waiting = conn.execute(select(func.count()).where(Case.status == "submitted")).scalar_one()
    assert waiting > 0
    at = home(role)
    head = zh("overview.approvals_head", n=waiting)
    if role == "staff":
        assert head not in texts(at) and not [
            p for p in at.page_link if p.proto.label == zh("overview.approvals_go")
        ]
        return
    assert head in texts(at)
    page, query = link(at, "overview.approvals_go")
    assert (page, query) == ("cases", {"view": "search", "status": "submitted"})
    found = follow(role, page, query)
    assert zh("cases.search.count", total=waiting) in [c.value for c in found.caption]
    found.selectbox(key="f_platform").set_value("douyin").run()  # another filter: the status stays
    assert found.selectbox(key="f_status").value == "submitted"


def test_my_overdue_action_items_and_their_link(demo):
    opened, overdue = my_items(demo, "manager")
    assert overdue > 0  # the demo manager owns an overdue item
    at = home("manager")
    assert zh("overview.items_head", n=overdue, open=opened) in texts(at)
    page, query = link(at, "overview.items_go")
    assert (page, query) == ("cases", {"view": "actions", "owner": "me"})
    items = follow("manager", page, query)
    assert items.session_state["ai_owner"] == "me"
    assert zh("cases.items.count", n=opened, overdue=overdue) in [c.value for c in items.caption]
    # The staff demo login owns items not due yet: no card.
    opened, overdue = my_items(demo, "staff")
    assert opened > 0 and overdue == 0
    assert not [p for p in home("staff").page_link if p.proto.label == zh("overview.items_go")]


def test_survey_invite_only_for_who_may_answer(demo, users):
    invite = zh("overview.survey_invite", name="")[:12]
    at = home("manager")
    assert any(v.startswith(invite) for v in texts(at))
    assert link(at, "overview.survey_go") == ("survey", {})
    survey = follow("manager", "survey", {})
    assert survey.radio and translate("survey.error.no_person", "zh") not in [w.value for w in survey.warning]
    # A manager login without a roster person is not invited (the survey page would refuse them).
    no_person = users["manager"]
    assert not surveys.may_answer(demo, _user_id(demo, no_person))
    assert not any(v.startswith(invite) for v in texts(home(no_person)))
    assert not [p for p in home(no_person).page_link if p.proto.label == zh("overview.survey_go")]


def test_nothing_needed_is_said_plainly(engine, users, clock_at, monkeypatch):
    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)  # not a demo database: the app needs a key
    clock_at(NOW)
    at = home(users["manager"])  # no sessions, incidents, cases or survey round yet
    assert [s.value for s in at.success] == [zh("overview.nothing_needed")]
    assert not [p for p in at.page_link if p.proto.label != zh("overview.details")]


def test_tiles_open_the_kpi_page_on_the_same_period(demo):
    at = home("manager")
    tiles = {t.metric: t for t in kpis.overview_tiles(demo, clock.now())}
    links = [
        dict(parse_qsl(p.proto.query_string)) for p in at.page_link if p.proto.label == zh("overview.details")
    ]
    metrics = [m if m in kpis.TREND_METRICS else "" for m in tiles]
    assert [q.get("metric", "") for q in links] == metrics * 2  # yesterday's tiles, then the month's
    presets = [q["preset"] for q in links]
    assert presets == ["yesterday"] * len(tiles) + ["this_month"] * len(tiles)  # the 24th: month to date
    kpi = follow("manager", "kpis", links[len(tiles)])
    assert kpi.session_state["kpis_preset"] == "this_month" and kpi.session_state["kpis_metric"] == "gmv"
    period = kpis.period_of(dt.datetime.fromisoformat(NOW))
    assert (kpi.session_state["kpis_from"], kpi.session_state["kpis_to"]) == (period.start, period.end)


def test_staff_sees_no_links_to_manager_pages(demo):
    at = home("staff")
    assert at.page_link and not [p for p in at.page_link if p.proto.page in ("kpis", "incident_report")]
