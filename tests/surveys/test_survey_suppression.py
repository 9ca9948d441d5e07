"""Threshold and complementary suppression: the issue's parametrised cases on a real database, plus the
pure suppression rule."""

from __future__ import annotations

import json

import pytest
from survey_data import PERIOD, answer, closed_round_with, dept_ids, make_respondents, open_round

from lib import surveys
from lib.core.db import set_setting, write

HOSTS, OPS, TECH, CONTENT, CS = "主播部", "运营部", "技术部", "内容部", "客服部"


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
    # Response counts: 1 and the next-smallest 7 hidden, so the total minus the shown ones gives only 8.
    assert res.responses == {ids[HOSTS]: None, ids[OPS]: None, ids[TECH]: 8, ids[CONTENT]: 9}
    assert not res.raters[ids[HOSTS]].shown and not res.raters[ids[OPS]].shown
    rates = surveys.response_frame(res).set_index("department")
    assert not rates.loc[HOSTS, "shown"] and not rates.loc[OPS, "shown"]
    assert (
        rates.loc[TECH, "responses"] == 8 and rates.loc[TECH, "users"] == 8 and rates.loc[TECH, "rate"] == 1.0
    )
    for (rater, _rated), fig in res.pairs.items():
        if rater == ids[HOSTS]:
            assert not fig.shown
    # Every column holding the lone 主播部 answer hides at least one more cell beside it.
    for rated in set(ids.values()) - {ids[HOSTS]}:
        hidden = [c for c, f in res.pairs.items() if c[1] == rated and not f.shown]
        assert not hidden or len(hidden) >= 2 or not res.rated[rated].shown


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
def test_suppress_response_counts(rows, hidden):
    """Response counts (the round's is their sum): none hidden, or two or more with K between them."""
    cells = {(f, 99): n for f, n in rows.items()}  # everyone rated department 99
    sup = surveys.suppress(sum(rows.values()), rows, {99: sum(rows.values())}, cells, 5)
    assert sup.counts == hidden and sup.counts <= sup.rows and not sup.total


def test_suppress_total_below_k_hides_everything():
    sup = surveys.suppress(4, {1: 4}, {2: 4}, {(1, 2): 4}, 5)
    assert sup.total and sup.rows == {1} and sup.cols == {2} and sup.cells == {(1, 2)}
