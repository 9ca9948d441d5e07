"""Threshold and complementary suppression: the issue's parametrised cases on a real database, plus the
pure suppression rule."""

from __future__ import annotations

import json

import pytest
from survey_data import PERIOD, answer, closed_round_with, dept_ids, make_respondents, open_round

from lib import surveys
from lib.db import set_setting, write

HOSTS, OPS, TECH, CONTENT, CS = "主播部", "运营部", "技术部", "内容部", "客服部"


def assert_protected(sup: surveys.Suppression, total, rows, cols, cells, k) -> None:
    """In every set with a shown total, hidden members are none or >= 2 with >= k responses together."""
    sets = [(rows, sup.rows), (cols, sup.cols)]
    sets += [({c: n for c, n in cells.items() if c[0] == r}, sup.cells) for r in rows if r not in sup.rows]
    sets += [({c: n for c, n in cells.items() if c[1] == t}, sup.cells) for t in cols if t not in sup.cols]
    for members, hidden in sets:
        inside = [n for m, n in members.items() if m in hidden]
        assert not inside or (len(inside) >= 2 and sum(inside) >= k) or len(inside) == len(members)
    for f, t in cells:
        if f in sup.rows or t in sup.cols:
            assert (f, t) in sup.cells


@pytest.mark.parametrize(
    ("counts", "shown_total", "shown_comments"),
    [
        ({OPS: 4}, False, False),  # 4 responses: nothing at all
        ({OPS: 5}, True, False),  # 5: scores, no comments
        ({OPS: 10}, True, True),  # 10: comments too
    ],
    ids=["4-nothing", "5-scores-no-comments", "10-comments"],
)
def test_round_threshold(engine, counts, shown_total, shown_comments):
    round_id = closed_round_with(engine, counts, score=4)
    res = surveys.round_results(engine, round_id)
    n = sum(counts.values())
    assert res.available and res.total.shown is shown_total
    comments = surveys.round_comments(engine, round_id)
    if shown_comments:
        assert sorted(comments) == sorted(f"建议{i}" for i in range(1, n + 1))
    else:
        assert comments is None and not res.comments_shown
    data = surveys.results_json(res)
    scores = surveys.department_scores(engine, PERIOD)
    if not shown_total:
        # Neither scores nor counts anywhere: every group is just {"shown": False}.
        assert data["total"] == {"shown": False}
        assert all(
            g == {"department": g["department"], "shown": False} for g in data["rated"] + data["raters"]
        )
        assert all(set(p) == {"rater", "rated", "shown"} and not p["shown"] for p in data["pairs"])
        assert all(r == {"department": r["department"], "shown": False} for r in data["response_rates"])
        assert set(scores.values()) == {None}
        assert str(n) not in json.dumps(data["total"]) + json.dumps(data["rated"])
        return
    assert res.total.n == n and res.total.mean == pytest.approx(4.0)
    ids = dept_ids(engine)
    for dept in (HOSTS, TECH, CONTENT, CS):
        fig = res.rated[ids[dept]]
        assert fig.shown and fig.mean == pytest.approx(4.0)
        assert fig.n is None  # total minus it would be the size of the department's own respondents
        assert fig.distribution["all"] == (0, 0, 0, 1.0, 0)  # shares, not counts
        assert scores[dept] == pytest.approx(4.0)
    assert scores[OPS] is None  # nobody rated 运营部 (all respondents are in it)
    assert data["comments"] == {"shown": shown_comments}
    assert "建议" not in json.dumps(data, ensure_ascii=False)  # comments are never exported raw


def test_hand_computed_means_and_distribution(engine):
    users = make_respondents(engine, {OPS: 5})
    round_id = open_round(engine)
    for user_id, tech_score in zip(users[OPS], [5, 4, 4, 3, 5], strict=True):
        answer(engine, round_id, user_id, {TECH: tech_score, CS: 2})
    surveys.close_round(engine, round_id, "t_manager")
    res = surveys.round_results(engine, round_id)
    ids = dept_ids(engine)
    tech = res.rated[ids[TECH]]
    assert tech.mean == 4.2  # 21 / 5
    assert tech.question_means["overall"] == 4.2
    assert tech.distribution["overall"] == (0, 0, 0.2, 0.4, 0.4)
    assert tech.distribution["all"] == (0, 0, 0.2, 0.4, 0.4)
    # Round mean re-divided from sums: (21*4 + 2*5*4 + 4*5*4 + 4*5*4) / (4 depts * 5 * 4 questions)
    assert res.total.mean == round((84 + 40 + 80 + 80) / 80, 2) == 3.55
    assert res.raters[dept_ids(engine)[OPS]].n == 5
    groups = surveys.shown_groups(res)
    assert list(groups) == [HOSTS, TECH, CONTENT, CS] + [f"{OPS} → {d}" for d in (HOSTS, TECH, CONTENT, CS)]
    assert groups[f"{OPS} → {TECH}"].distribution["all"] == (0, 0, 0.2, 0.4, 0.4)
    assert groups[f"{OPS} → {TECH}"].n == 5 and groups[TECH].n is None
    frame = surveys.rated_frame(res)
    row = frame[frame["department"] == CS].iloc[0]
    assert row["mean"] == pytest.approx(2.0) and row["gap"] == pytest.approx(-2.5) and not row["meets_target"]


def test_sibling_groups_of_1_and_7_both_hidden(engine):
    counts = {HOSTS: 1, OPS: 7, TECH: 8, CONTENT: 9}
    round_id = closed_round_with(engine, counts)
    res = surveys.round_results(engine, round_id)
    ids = dept_ids(engine)
    assert res.total.shown and res.total.n == 25
    assert not res.raters[ids[HOSTS]].shown and not res.raters[ids[OPS]].shown  # 1 and the next-smallest 7
    assert res.raters[ids[TECH]].n == 8 and res.raters[ids[CONTENT]].n == 9
    rates = surveys.response_frame(res).set_index("department")
    assert not rates.loc[HOSTS, "shown"] and not rates.loc[OPS, "shown"]
    assert (
        rates.loc[TECH, "responses"] == 8 and rates.loc[TECH, "users"] == 8 and rates.loc[TECH, "rate"] == 1.0
    )
    # Subtracting shown groups from the total recovers only the two hidden ones together (8 >= K).
    assert res.total.n - res.raters[ids[TECH]].n - res.raters[ids[CONTENT]].n == 8
    for (rater, _rated), fig in res.pairs.items():
        if rater in (ids[HOSTS], ids[OPS]):
            assert not fig.shown
    cells = {c: f for c, f in res.pairs.items()}
    col_cs = [c for c in cells if c[1] == ids[CS]]
    assert [cells[c].shown for c in sorted(col_cs, key=lambda c: c[0])].count(False) >= 2


def test_two_filters_whose_intersection_is_below_k(engine):
    users = make_respondents(engine, {OPS: 8, TECH: 6, CONTENT: 6})
    round_id = open_round(engine)
    for i, user_id in enumerate(users[OPS]):
        answer(engine, round_id, user_id, 4, skip=() if i < 3 else (CS,))  # only 3 of 8 work with 客服部
    for user_id in users[TECH] + users[CONTENT]:
        answer(engine, round_id, user_id, 5)
    surveys.close_round(engine, round_id, "t_manager")
    ids = dept_ids(engine)
    by_rater = surveys.round_results(engine, round_id, raters=(ids[OPS],))
    assert (
        by_rater.filtered.shown and by_rater.filtered.n == 8 and by_rater.filtered.mean == pytest.approx(4.0)
    )
    by_rated = surveys.round_results(engine, round_id, rated=(ids[CS],))
    assert by_rated.filtered.shown and by_rated.filtered.n is None  # rated-side counts are never shown
    assert by_rated.filtered.mean == (3 * 4 + 12 * 5) / 15 == 4.8
    both = surveys.round_results(engine, round_id, raters=(ids[OPS],), rated=(ids[CS],))
    assert not both.filtered.shown and both.filtered.n is None and both.filtered.mean is None
    assert not both.pairs[(ids[OPS], ids[CS])].shown
    # A union of rater groups that includes a hidden cell is hidden as well (no differencing).
    union = surveys.round_results(engine, round_id, raters=(ids[OPS], ids[TECH]), rated=(ids[CS], ids[HOSTS]))
    assert not union.filtered.shown


def test_threshold_setting_applies_and_never_below_3(engine):
    with write(engine) as conn:
        set_setting(conn, surveys.K_SETTING, "1")  # as if edited in the database by hand
    assert surveys.thresholds(engine) == surveys.Thresholds(3, 10)
    round_id = closed_round_with(engine, {OPS: 3})
    assert surveys.round_results(engine, round_id).total.n == 3
    surveys.set_thresholds(engine, 4, 6, "t_admin")
    assert not surveys.round_results(engine, round_id).total.shown
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.set_thresholds(engine, 2, 10, "t_admin")
    assert exc.value.code == "k_too_low"
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.set_thresholds(engine, 6, 5, "t_admin")
    assert exc.value.code == "comment_k_too_low"
    assert surveys.thresholds(engine) == surveys.Thresholds(4, 6)


def test_open_round_shows_nothing(engine):
    users = make_respondents(engine, {OPS: 6})
    round_id = open_round(engine)
    for user_id in users[OPS]:
        answer(engine, round_id, user_id)
    res = surveys.round_results(engine, round_id)
    assert not res.available and not res.total.shown and res.rated == {} and res.pairs == {}
    assert surveys.round_comments(engine, round_id) is None
    assert set(surveys.department_scores(engine, PERIOD).values()) == {None}


@pytest.mark.parametrize(
    ("rows", "hidden"),
    [
        ({1: 1, 2: 7, 3: 8, 4: 9}, {1, 2}),
        ({1: 1, 2: 3, 3: 10, 4: 12}, {1, 2, 3}),  # 1 + 3 < 5: keep hiding until the hidden sum reaches K
        ({1: 5, 2: 5, 3: 6}, set()),
        ({1: 4, 2: 4, 3: 20}, {1, 2}),
    ],
)
def test_suppress_rows(rows, hidden):
    sup = surveys.suppress(sum(rows.values()), rows, {}, {}, 5)
    assert sup.rows == hidden and not sup.total
    assert_protected(sup, sum(rows.values()), rows, {}, {}, 5)


def test_suppress_total_below_k_hides_everything():
    sup = surveys.suppress(4, {1: 4}, {2: 4}, {(1, 2): 4}, 5)
    assert sup.total and sup.rows == {1} and sup.cols == {2} and sup.cells == {(1, 2)}


def test_suppress_matrix_is_protected_in_every_set():
    rows = {1: 1, 2: 7, 3: 8, 4: 9}
    cells = {(f, t): n for f, n in rows.items() for t in range(1, 6) if t != f}
    cols = {t: sum(n for (f, tt), n in cells.items() if tt == t) for t in range(1, 6)}
    sup = surveys.suppress(25, rows, cols, cells, 5)
    assert {1, 2} <= sup.rows and (3, 1) in sup.cells  # column 1: only 运营(7) hidden, so 技术(8) too
    assert_protected(sup, 25, rows, cols, cells, 5)
