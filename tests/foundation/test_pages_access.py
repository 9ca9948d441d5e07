"""Every page x every access role under AppTest: no exception; a forbidden page shows the no-access
message and none of the data; a page run without app.py and without login shows the login wall only."""

import pytest

from lib.core.access import PAGES
from lib.core.i18n import translate

EXISTING = [p for p in PAGES if p.exists()]
ROLES = ("admin", "manager", "staff")
DATA_ELEMENTS = ("dataframe", "table", "metric", "json")


def _data_shown(at) -> int:
    count = sum(len(getattr(at, kind)) for kind in DATA_ELEMENTS)
    # Altair/Vega charts and downloads have no typed accessor: look for them in the raw tree.
    count += len(at.get("arrow_vega_lite_chart")) + len(at.get("download_button"))
    return count


def _texts(at) -> list[str]:
    return [e.value for kind in ("error", "warning", "info") for e in getattr(at, kind)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", EXISTING, ids=[p.key for p in EXISTING])
def test_page_by_role(spec, role, run_page):
    at = run_page(spec.key, role)
    assert not at.exception, at.exception
    if role in spec.roles:
        assert translate("auth.no_access", "zh") not in _texts(at)
    else:
        assert translate("auth.no_access", "zh") in _texts(at)
        assert _data_shown(at) == 0


@pytest.mark.parametrize("spec", EXISTING, ids=[p.key for p in EXISTING])
def test_page_without_login_shows_only_the_login_wall(spec, run_page):
    at = run_page(spec.key, None)
    assert not at.exception, at.exception
    assert translate("auth.login_required", "zh") in _texts(at)
    assert _data_shown(at) == 0


def test_english_switch(run_page):
    at = run_page("overview", "manager", lang="en")
    assert at.title[0].value == "Overview"
