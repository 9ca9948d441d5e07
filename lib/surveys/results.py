"""Results of closed rounds after suppression, the comments, the trend and the scorecards' figures.

Results are only computed for closed rounds (watching live numbers change would single out the last
answer). Every figure is a group of responses; a group with fewer than K responses (setting, default
5, never below 3) shows neither scores nor counts, and complementary suppression (lib.surveys.suppression)
hides further figures until no hidden figure, and no sum of hidden cells under K people, can be solved
for from the shown ones. Filters are shown only when they are sums of shown groups. Rated departments
show no response count; means are rounded to 2 decimals and distributions are shares in whole percent.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, Select, func, select

from lib import targets
from lib.core.metrics import metric
from lib.core.models import SurveyRating, SurveyRound, SurveySubmission
from lib.surveys.model import (
    HIDDEN,
    SCORES,
    TARGET_METRIC,
    TREND_ROUNDS,
    Figure,
    RoundResults,
)
from lib.surveys.queries import departments, departments_in, round_info, round_row, thresholds_in
from lib.surveys.suppression import Suppression, suppress

_random = secrets.SystemRandom()
Cell = tuple[int, int]


def _figure(dist: Mapping[tuple[str, int], int], n: int | None) -> Figure:
    """Means re-divided from score sums; `dist` maps (question, score) to a count. Means are rounded to
    2 decimals and the distribution is given as shares in whole percent, so neither pins down the size
    of a group whose count is not shown (n=None)."""
    per_q: dict[str, list[int]] = defaultdict(lambda: [0] * len(SCORES))
    for (question, score), count in dist.items():
        per_q[question][score - 1] += count
    total = [sum(v[i] for v in per_q.values()) for i in range(len(SCORES))]

    def mean(counts: list[int]) -> float | None:
        ratings = sum(counts)
        return (
            round(sum(s * c for s, c in zip(SCORES, counts, strict=True)) / ratings, 2) if ratings else None
        )

    def shares(counts: list[int]) -> tuple[float, ...]:
        ratings = sum(counts) or 1
        return tuple(round(c / ratings, 2) for c in counts)

    return Figure(
        True,
        n,
        mean(total),
        {q: mean(v) for q, v in per_q.items()},
        {"all": shares(total), **{q: shares(v) for q, v in per_q.items()}},
    )


def collab_target(engine: Engine, period: str) -> float:
    """The company-wide collaboration target for a month, from the one target resolver (lib.targets)."""
    row = targets.resolve(targets.load_targets(engine), TARGET_METRIC, period, {})
    default = metric(TARGET_METRIC).default_target
    return float(row.value) if row is not None else float(default[1] if default else 4.5)


@dataclass
class _Counts:
    """A closed round's response counts per rater row, rated column and (rater, rated) cell, the people
    behind each (rater, set of rated) signature, score counts per cell, and the filter's count."""

    rows: dict[int, int]
    cols: dict[int, int]
    cells: dict[Cell, int]
    signatures: dict[tuple[int, frozenset[int]], int]
    dist: dict[Cell, dict[tuple[str, int], int]]
    filter_n: int | None

    def combine(self, keys: Iterable[Cell], n: int | None) -> Figure:
        merged: dict[tuple[str, int], int] = defaultdict(int)
        for key in keys:
            for qs, count in self.dist.get(key, {}).items():
                merged[qs] += count
        return _figure(merged, n)


def _joined(round_id: int) -> Select:
    s, r = SurveySubmission, SurveyRating
    return select().select_from(r).join(s, s.id == r.submission_id).where(s.round_id == round_id)


def _signatures(rows: Iterable[tuple[str, int, int]]) -> dict[tuple[int, frozenset[int]], int]:
    rated_by: dict[str, tuple[int, set[int]]] = {}
    for sid, f, t in rows:
        rated_by.setdefault(sid, (int(f), set()))[1].add(int(t))
    signatures: dict[tuple[int, frozenset[int]], int] = defaultdict(int)
    for f, ts in rated_by.values():
        signatures[(f, frozenset(ts))] += 1
    return signatures


def _filter_count(
    conn: Connection, round_id: int, raters: tuple[int, ...], rated: tuple[int, ...]
) -> int | None:
    if not (raters or rated):
        return None
    s, r = SurveySubmission, SurveyRating
    q = _joined(round_id).add_columns(func.count(s.id.distinct()))
    if raters:
        q = q.where(s.from_department_id.in_(raters))
    if rated:
        q = q.where(r.to_department_id.in_(rated))
    return int(conn.execute(q).scalar_one())


def _counts(conn: Connection, round_id: int, raters: tuple[int, ...], rated: tuple[int, ...]) -> _Counts:
    """Every count of the round, aggregated in SQL."""
    s, r = SurveySubmission, SurveyRating
    joined = _joined(round_id)
    dist_rows = conn.execute(
        joined.add_columns(
            s.from_department_id, r.to_department_id, r.question, r.score, func.count()
        ).group_by(s.from_department_id, r.to_department_id, r.question, r.score)
    ).all()
    cell_n = conn.execute(
        joined.add_columns(s.from_department_id, r.to_department_id, func.count(s.id.distinct())).group_by(
            s.from_department_id, r.to_department_id
        )
    ).all()
    col_n = conn.execute(
        joined.add_columns(r.to_department_id, func.count(s.id.distinct())).group_by(r.to_department_id)
    ).all()
    row_n = conn.execute(
        select(s.from_department_id, func.count())
        .where(s.round_id == round_id)
        .group_by(s.from_department_id)
    ).all()
    signature_rows = conn.execute(
        joined.add_columns(s.id, s.from_department_id, r.to_department_id).group_by(
            s.id, s.from_department_id, r.to_department_id
        )
    ).all()
    dist: dict[Cell, dict[tuple[str, int], int]] = defaultdict(dict)
    for f, t, question, score, count in dist_rows:
        dist[(int(f), int(t))][(question, int(score))] = int(count)
    return _Counts(
        rows={int(f): int(n) for f, n in row_n},
        cols={int(t): int(n) for t, n in col_n},
        cells={(int(f), int(t)): int(n) for f, t, n in cell_n},
        signatures=_signatures(signature_rows),
        dist=dist,
        filter_n=_filter_count(conn, round_id, raters, rated),
    )


def round_results(
    engine: Engine, round_id: int, raters: tuple[int, ...] = (), rated: tuple[int, ...] = ()
) -> RoundResults:
    """All figures of a closed round after suppression; `raters`/`rated` filter (empty = all)."""
    with engine.connect() as conn:
        info = round_info(round_row(conn, round_id))
    target = collab_target(engine, info.period)
    with engine.connect() as conn:
        th = thresholds_in(conn)
        names = departments_in(conn)
        eligible = {int(d): n for d, n in json.loads(round_row(conn, round_id).eligible or "{}").items()}
        if info.status != "closed":
            return RoundResults(info, th, False, names, target, HIDDEN, {}, {}, {}, eligible)
        counts = _counts(conn, round_id, raters, rated)
    total_n = sum(counts.rows.values())
    sup = suppress(total_n, counts.rows, counts.cols, counts.cells, th.k, counts.signatures)
    res = RoundResults(info, th, True, names, target, HIDDEN, {}, {}, {}, eligible)
    res.comments_shown = not sup.total and total_n >= th.comment_k
    if sup.total:
        res.filtered = HIDDEN if counts.filter_n is not None else None
        return res
    _fill(res, counts, sup, total_n)
    if counts.filter_n is not None:
        res.filtered = _filtered(counts, sup, raters, rated, th.k)
    return res


def _fill(res: RoundResults, counts: _Counts, sup: Suppression, total_n: int) -> None:
    """The shown figures of a round whose total is shown."""
    cells, combine = counts.cells, counts.combine
    res.total = combine(cells, total_n)
    res.raters = {
        f: HIDDEN if f in sup.rows else combine([c for c in cells if c[0] == f], n)
        for f, n in counts.rows.items()
    }
    res.responses = {f: None if f in sup.counts else n for f, n in counts.rows.items()}
    # A rated department's count is not shown: total minus it is the size of that department's own
    # (possibly hidden) group of respondents, who cannot rate themselves.
    res.rated = {
        t: HIDDEN if t in sup.cols else combine([c for c in cells if c[1] == t], None) for t in counts.cols
    }
    res.pairs = {c: HIDDEN if c in sup.cells else combine([c], n) for c, n in cells.items()}


def _filtered(
    counts: _Counts, sup: Suppression, raters: tuple[int, ...], rated: tuple[int, ...], k: int
) -> Figure:
    """A filter's figure is shown only when it is a sum of shown groups (so subtracting shown figures
    never yields a hidden one) and it has k or more responses itself."""
    n = counts.filter_n
    chosen = [c for c in counts.cells if (not raters or c[0] in raters) and (not rated or c[1] in rated)]
    if n is None or n < k or not chosen:
        return HIDDEN
    if not rated:
        parts_shown = all(f not in sup.rows for f in {c[0] for c in chosen})
    elif not raters:
        parts_shown = all(t not in sup.cols for t in {c[1] for c in chosen})
    else:
        parts_shown = all(c not in sup.cells for c in chosen)
    return counts.combine(chosen, None if rated else n) if parts_shown else HIDDEN


def round_comments(engine: Engine, round_id: int) -> tuple[str, ...] | None:
    """The comments of a closed round in random order, or None below the comment threshold."""
    with engine.connect() as conn:
        th = thresholds_in(conn)
        if round_row(conn, round_id).status != "closed":
            return None
        n = conn.execute(select(func.count()).where(SurveySubmission.round_id == round_id)).scalar_one()
        if n < th.comment_k:
            return None
        texts = list(
            conn.execute(
                select(SurveySubmission.comment).where(
                    SurveySubmission.round_id == round_id, SurveySubmission.comment.is_not(None)
                )
            ).scalars()
        )
    _random.shuffle(texts)
    return tuple(text for text in texts if text is not None)  # none: the query skips them


def department_scores(engine: Engine, period: str) -> dict[str, float | None]:
    """Collaboration satisfaction per department for a month (scorecards): the mean of all ratings the
    department received in the latest closed round of that period; None when hidden or no round."""
    names = departments(engine)
    with engine.connect() as conn:
        round_id = conn.execute(
            select(SurveyRound.id)
            .where(SurveyRound.period == period, SurveyRound.status == "closed")
            .order_by(SurveyRound.id.desc())
        ).scalar()
    out: dict[str, float | None] = {name: None for name in names.values()}
    if round_id is None:
        return out
    res = round_results(engine, int(round_id))
    for dept_id, fig in res.rated.items():
        out[names[dept_id]] = fig.mean if fig.shown else None
    return out


def trend(engine: Engine, question: str | None = None) -> pd.DataFrame:
    """Shown department means of the last closed rounds: period, round, department, mean. Only each
    closed round's shown figures, nothing combined across rounds; a closed round never changes."""
    with engine.connect() as conn:
        ids = (
            conn.execute(
                select(SurveyRound.id)
                .where(SurveyRound.status == "closed")
                .order_by(SurveyRound.period.desc(), SurveyRound.id.desc())
                .limit(TREND_ROUNDS)
            )
            .scalars()
            .all()
        )
    records = []
    for round_id in reversed(ids):
        res = round_results(engine, round_id)
        for dept_id, fig in res.rated.items():
            value = fig.mean_for(question) if fig.shown else None
            if value is not None:
                records.append(
                    {
                        "period": res.round.period,
                        "round": res.round.name,
                        "department": res.departments[dept_id],
                        "mean": value,
                    }
                )
    return pd.DataFrame(records, columns=["period", "round", "department", "mean"])
