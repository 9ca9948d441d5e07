"""What staff may see of a session (issue 20 "Staff review their own sessions", issue 25 items 11-13):
a staff login whose roster person hosted a session opens its review and starts a case from it; another
host's session is refused with a message on the review page and in the case pre-fill; a bad link says
so and keeps saying so through a rerun; user text that looks like a URL is never a link."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib import cases as cs
from lib import review as rv
from lib.core.auth import add_user
from lib.core.db import write
from lib.core.i18n import translate
from lib.core.models import LiveSession, Person, SessionProduct
from tests.conftest import TEST_PASSWORD, app_test
from tests.foundation.links import markdown_links
from tests.review.review_data import CHEN_1103, DETAIL, XY_1102, XY_1103, ZHOU_1102, load_review_week

TREND_OWN = "trend_xyjd2021_20261102_2000.csv"  # 林晓雨's session XY_1102
HOST = "t_host"  # a staff login whose roster person is 林晓雨 (the demo's `staff`), host of XY_*


@pytest.fixture
def week(engine, users):
    loaded = load_review_week(engine)
    with write(engine) as conn:
        person = conn.execute(sa.select(Person.id).where(Person.name == "林晓雨")).scalar_one()
        add_user(conn, HOST, TEST_PASSWORD, "staff", display_name="林晓雨", person_id=person)
    return loaded


def page(path: str, username: str, **query: str):
    at = app_test(path, username)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def texts(at, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def refused(session_id: int) -> str:
    return translate("session_access.refused", "zh", id=session_id)


def test_the_host_is_the_roster_person_of_the_login(engine, week):
    with engine.connect() as conn:
        hosts = dict(conn.execute(sa.select(LiveSession.id, LiveSession.host_name)).all())
    assert hosts[week[XY_1102]] == hosts[week[XY_1103]] == "林晓雨" != hosts[week[ZHOU_1102]]


def test_staff_opens_the_review_of_a_session_they_hosted(engine, week):
    at = page("pages/session_detail.py", HOST, session=str(week[XY_1102]))
    assert not at.exception
    assert not at.error
    heads = texts(at, "subheader")
    assert any(h.startswith("分钟曲线") for h in heads) and any(h.startswith("Top 5 商品") for h in heads)
    # the picker offers this host's sessions only
    options = at.selectbox(key="session_pick").options
    assert options and all("林晓雨" in o for o in options)
    assert len(options) == len(hosted_by(engine, week_person(engine))) >= 2
    # no link column to the products page, which staff do not open
    products = [d.value for d in at.dataframe if "商品 ID" in d.value.columns or "商品ID" in d.value.columns]
    assert products and all("跨场次" not in " ".join(map(str, d.columns)) for d in products)
    # "复盘本场": the case editor pre-filled from it, for this staff member
    case = page("pages/cases.py", HOST, new_from_session=str(week[XY_1102]))
    assert not at.exception and not case.warning
    background = case.text_area(key="ed_background").value
    assert "成交金额" in background and "Top" in background
    assert case.multiselect(key="ed_sessions").value == [week[XY_1102]]


@pytest.mark.parametrize("other", [ZHOU_1102, CHEN_1103])
def test_staff_are_refused_another_hosts_session(engine, week, other):
    sid = week[other]
    at = page("pages/session_detail.py", HOST, session=str(sid))
    assert not at.exception
    assert refused(sid) in texts(at, "error")
    assert not at.dataframe and not at.metric and not at.get("arrow_vega_lite_chart")
    assert at.query_params["session"] == str(sid)  # the link is left as it was: the message stays
    assert refused(sid) in texts(at.run(), "error")
    # the case pre-fill follows the same rule (issue 25 item 11): no GMV, Top 5 or dip of that session
    case = page("pages/cases.py", HOST, new_from_session=str(sid))
    assert not case.exception
    assert refused(sid) in texts(case, "warning")
    assert not case.text_area and not case.text_input
    none = page("pages/cases.py", "t_staff", new_from_session=str(week[XY_1102]))  # no roster person
    assert refused(week[XY_1102]) in texts(none, "warning") and not none.text_area


def test_one_rule_for_the_review_page_and_the_prefill(engine, week):
    host = cs.Viewer(HOST, "staff", week_person(engine))
    nobody = cs.Viewer("t_staff", "staff", None)
    manager = cs.Viewer("t_manager", "manager", None)
    own, other = week[XY_1102], week[ZHOU_1102]
    assert rv.may_see_session(engine, own, host.role, host.person_id)
    assert not rv.may_see_session(engine, other, host.role, host.person_id)
    assert not rv.may_see_session(engine, own, nobody.role, nobody.person_id)
    assert rv.may_see_session(engine, other, manager.role, manager.person_id)
    assert not rv.may_see_session(engine, 987654, manager.role, None)
    assert cs.session_prefill(engine, own, host) is not None
    assert cs.session_prefill(engine, other, host) is None
    assert cs.session_prefill(engine, own, nobody) is None
    assert cs.session_prefill(engine, other, manager) is not None
    assert rv.visible_sessions(engine, [own, other, 987654], host.role, host.person_id) == {own}
    assert {i for i, _ in cs.session_choices(engine, host)} == hosted_by(engine, host.person_id) >= {own}


def test_staff_link_only_sessions_they_may_see_to_a_case(engine, week):
    """A case shows its sessions' numbers to its readers: staff cannot link another host's session to
    their draft to read its figures there (refused like a missing session)."""
    from tests.cases.case_data import MANAGER, case_input

    host = cs.Viewer(HOST, "staff", week_person(engine))
    own, other = week[XY_1102], week[ZHOU_1102]
    with pytest.raises(cs.CaseError) as err:
        cs.create_case(engine, host, case_input(session_ids=(own, other)))
    assert err.value.code == "unknown_session" and err.value.params["value"] == other
    case_id = cs.create_case(engine, host, case_input(session_ids=(own,)))
    current = cs.get_case(engine, host, case_id)
    with pytest.raises(cs.CaseError):
        cs.update_case(
            engine, host, case_id, case_input(session_ids=(own, other)), version=current["version"]
        )
    # a manager may link any session; the author's later edit keeps what is linked already
    cs.update_case(engine, MANAGER, case_id, case_input(session_ids=(own, other)), version=current["version"])
    current = cs.get_case(engine, host, case_id)
    cs.update_case(
        engine, host, case_id, case_input("改了标题", session_ids=(own, other)), version=current["version"]
    )
    assert sorted(cs.get_case(engine, host, case_id)["session_ids"]) == sorted([own, other])


def hosted_by(engine, person_id: int) -> set[int]:
    with engine.connect() as conn:
        query = sa.select(LiveSession.id).where(LiveSession.host_person_id == person_id)
        return set(conn.execute(query).scalars())


def week_person(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(Person.id).where(Person.name == "林晓雨")).scalar_one()


@pytest.mark.parametrize(
    ("page_key", "param", "raw"),
    [
        ("session_detail", "session", "abc"),
        ("session_detail", "session", "\u0667\u0666\u0663"),  # Arabic-Indic ٧٦٣
        ("session_detail", "session", "-1"),
        ("session_pk", "vs", "abc"),
    ],
)
def test_a_bad_session_link_says_so_through_reruns(engine, week, page_key, param, raw):
    """Issue 25 item 13: the page used to show the latest session and rewrite the link, so the message
    was gone after the next rerun (the cookie login's)."""
    query = {param: raw} if param == "session" else {"session": str(week[XY_1102]), param: raw}
    at = page(f"pages/{page_key}.py", "t_manager", **query)
    assert not at.exception
    message = translate("session_access.bad_link", "zh", value=raw, param=param).replace("-", "\\-")
    for _ in range(2):  # the first run and a rerun
        assert message in texts(at, "error"), texts(at, "error")
        assert at.query_params[param] == raw  # not rewritten to another session
        at = at.run()
    if page_key == "session_detail":
        assert not at.dataframe  # no session shown in its place
        at.selectbox(key="session_pick").select(week[XY_1103]).run()  # a choice replaces the bad link
        assert not at.error and at.query_params["session"] == str(week[XY_1103])


def test_url_like_product_and_room_names_are_not_links(engine, week):
    """Issue 25 item 12: product names and rooms that look like URLs are shown as text on the review page."""
    sid = week[XY_1102]
    with write(engine) as conn:
        conn.execute(
            sa.update(LiveSession).where(LiveSession.id == sid).values(room="www.evil.example 直播间")
        )
        ids = conn.execute(
            sa.select(SessionProduct.product_id).where(SessionProduct.session_id == sid)
        ).scalars()
        for n, product in enumerate(list(ids)):
            name = ("http://evil.example/p", "WWW.evil.example", "x@evil.example")[n % 3] + f" 爆款{n}"
            conn.execute(
                sa.update(SessionProduct)
                .where(SessionProduct.session_id == sid, SessionProduct.product_id == product)
                .values(name=name)
            )
    at = page("pages/session_detail.py", "t_manager", session=str(sid))
    assert not at.exception
    assert any("evil" in c for c in texts(at, "caption"))  # shown, as text
    assert markdown_links(at) == []
    case = page("pages/cases.py", "t_manager", new_from_session=str(sid))
    assert "evil" in case.text_area(key="ed_background").value  # the pre-fill keeps the names as typed


def _preview_script(path: str, role: str, person_id: int | None) -> None:
    from pathlib import Path

    from lib import importing
    from lib.core.auth import CurrentUser
    from lib.web import upload_view
    from lib.web.ui import engine

    user = CurrentUser(1, "uploader", "Uploader", role, person_id)
    data = Path(path).read_bytes()
    upload_view.show_preview(0, importing.preview(engine(), data, Path(path).name), "zh", user)


@pytest.mark.parametrize(("name", "own"), [("trend_jjhw888_20261102_2000.csv", False), (TREND_OWN, True)])
def test_upload_preview_notes_show_only_sessions_the_uploader_may_see(engine, week, tmp_path, name, own):
    """Issue 25 item 11: a trend file whose minutes miss the stored GMV showed any session's stored GMV
    (and orders) to any uploader; staff now read the stored figures of their own sessions only."""
    from streamlit.testing.v1 import AppTest

    from lib.core.formatting import format_value

    lines = (DETAIL / name).read_bytes().decode("utf-8-sig").splitlines()
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",100000.00"  # the minutes no longer add up to the session
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    key = ("jjhw888", "2026-11-02T20:00") if not own else XY_1102
    with engine.connect() as conn:
        gmv = conn.execute(sa.select(LiveSession.gmv).where(LiveSession.id == week[key])).scalar_one()
    stored = format_value(gmv, "cny", "zh")
    for role, person, shown in (("staff", week_person(engine), own), ("manager", None, True)):
        at = AppTest.from_function(
            _preview_script, kwargs={"path": str(path), "role": role, "person_id": person}, default_timeout=30
        ).run()
        assert not at.exception
        notes = " ".join(at.dataframe[-1].value.iloc[:, -1])
        assert "xyjd2021" in notes or "jjhw888" in notes  # the note is there
        assert (stored in notes) is shown, (role, notes)
