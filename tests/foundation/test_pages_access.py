"""Every page x every access role under AppTest: no exception; a forbidden page shows the no-access
message and none of the data; a page run without app.py and without login shows the login wall only."""

import pytest

from lib.core.access import PAGES
from lib.core.i18n import translate
from tests.kpis.truth_data import load_roster, load_truth_sessions

EXISTING = [p for p in PAGES if p.exists()]
ROLES = ("admin", "manager", "staff")
DATA_ELEMENTS = ("dataframe", "table", "metric", "json")
RAW_ELEMENTS = ("vega_lite_chart", "download_button")  # no typed accessor: looked up in the raw tree


@pytest.fixture
def truth_week(engine, samples, clock_at):
    """The sample week on the clock of its month, so an allowed page has data to show (and a forbidden
    page has data it must not show)."""
    clock_at("2026-11-20T12:00")
    load_truth_sessions(engine, samples, load_roster(engine, samples))


def _data_shown(at) -> int:
    count = sum(len(getattr(at, kind)) for kind in DATA_ELEMENTS)
    return count + sum(len(at.get(kind)) for kind in RAW_ELEMENTS)


def _texts(at) -> list[str]:
    return [e.value for kind in ("error", "warning", "info") for e in getattr(at, kind)]


# A forbidden page and the login wall stop before any query: what they show does not depend on the database,
# so they run on the first database only; an allowed page runs its queries on every database.
BY_ROLE = [
    pytest.param(
        spec, role, id=f"{spec.key}-{role}", marks=() if role in spec.roles else pytest.mark.one_database
    )
    for spec in EXISTING
    for role in ROLES
]


@pytest.mark.parametrize(("spec", "role"), BY_ROLE)
def test_page_by_role(spec, role, run_page, request):
    if role not in spec.roles:
        request.getfixturevalue("truth_week")  # data a forbidden page must not show
    at = run_page(spec.key, role)
    assert not at.exception, at.exception
    if role in spec.roles:
        assert translate("auth.no_access", "zh") not in _texts(at)
    else:
        assert translate("auth.no_access", "zh") in _texts(at)
        assert _data_shown(at) == 0


@pytest.mark.one_database
@pytest.mark.parametrize("spec", EXISTING, ids=[p.key for p in EXISTING])
def test_page_without_login_shows_only_the_login_wall(spec, run_page, truth_week):
    at = run_page(spec.key, None)
    assert not at.exception, at.exception
    assert translate("auth.login_required", "zh") in _texts(at)
    assert _data_shown(at) == 0


def test_english_switch(run_page):
    at = run_page("overview", "manager", lang="en")
    assert at.title[0].value == "Overview"


def test_data_counter_sees_charts_and_downloads(run_page, truth_week):
    """The counter behind "no data on a forbidden page" must see what an allowed page shows."""
    at = run_page("kpis", "manager")
    assert not at.exception
    assert all(len(at.get(kind)) > 0 for kind in RAW_ELEMENTS), {k: len(at.get(k)) for k in RAW_ELEMENTS}
