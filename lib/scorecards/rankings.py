"""Scores over groups and months: team scores and the best collaboration group of a month, quarter scores
(mean of the months that have one) with grades and ranks, promotion flags (two quarters at or above the
admin's bar) and each person's trend."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib.core.dates import quarter_month_keys, quarter_of, shift_month_key
from lib.core.formatting import number_or_none
from lib.scorecards.definitions import (
    EPS,
    TREND_MONTHS,
    Definition,
    ScorecardError,
    definition_for,
    load_definitions,
    promotion_bar,
)
from lib.scorecards.scoring import Card, grade_of, ranks, score_month

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def team_scores(cards: list[Card]) -> pd.DataFrame:
    """Per team: members scored, their average total (every position), best first."""
    rows: dict[str, list[float]] = {}
    for c in cards:
        if c.team and c.total is not None:
            rows.setdefault(c.team, []).append(c.total)
    frame = pd.DataFrame(
        [(team, len(v), sum(v) / len(v)) for team, v in rows.items()], columns=["team", "members", "score"]
    )
    return frame.sort_values(["score", "team"], ascending=[False, True], ignore_index=True)


def best_group(cards: list[Card]) -> tuple[str, float] | None:
    """最佳协作小组: the team with the highest members' average (the first by name on a tie)."""
    teams = team_scores(cards)
    if teams.empty:
        return None
    return str(teams.iloc[0]["team"]), float(teams.iloc[0]["score"])


def quarter_months(quarter: str) -> tuple[str, str, str]:
    """The three months of a YYYY-Qn quarter; a malformed quarter is refused."""
    m = QUARTER_RE.match(quarter or "")
    if not m:
        raise ScorecardError("quarter", value=quarter)
    return quarter_month_keys(int(m.group(1)), int(m.group(2)))


def previous_quarter(quarter: str) -> str:
    return quarter_of(shift_month_key(quarter_months(quarter)[0], -1))


def quarter_scores(engine: Engine, quarter: str, position: str | None = None) -> pd.DataFrame:
    """Per person: the total of each month of the quarter, the quarter score (mean of the months that have
    one), its grade (bands of the quarter's last month) and rank within the position."""
    cards = {m: score_month(engine, m, position) for m in quarter_months(quarter)}
    return quarter_scores_of(quarter, cards, load_definitions(engine))


def quarter_scores_of(
    quarter: str, cards_by_month: Mapping[str, list[Card]], definitions: tuple[Definition, ...]
) -> pd.DataFrame:
    """`quarter_scores` from the months' cards already scored (`cards_by_month` holds at least the
    quarter's months): a page that shows several months and quarters scores each month once."""
    months = quarter_months(quarter)
    by_person: dict[int, dict[str, Any]] = {}
    for month in months:
        for c in cards_by_month[month]:
            rec = by_person.setdefault(
                c.person_id,
                {"person_id": c.person_id, "person": c.person, "position": c.position, "team": c.team},
            )
            rec[month] = c.total
    records = []
    for rec in by_person.values():
        totals = [v for v in (rec.get(m) for m in months) if v is not None]
        rec["quarter"] = sum(totals) / len(totals) if totals else None
        rec["grade"] = grade_of(
            rec["quarter"], definition_for(definitions, rec["position"], months[-1]).bands
        )
        records.append(rec)
    frame = pd.DataFrame.from_records(
        records, columns=["person_id", "person", "position", "team", *months, "quarter", "grade"]
    )
    frame["rank"] = pd.Series(dtype=object)
    for pos in frame["position"].unique():
        idx = frame.index[frame["position"] == pos]
        frame.loc[idx, "rank"] = pd.Series(
            ranks([number_or_none(v) for v in frame.loc[idx, "quarter"]]), index=idx, dtype=object
        )
    return frame


def promotion_months(quarter: str) -> tuple[str, ...]:
    """The months whose cards the promotion flags of `quarter` need: its own and the quarter before's."""
    return (*quarter_months(previous_quarter(quarter)), *quarter_months(quarter))


def promotion_flags(engine: Engine, quarter: str) -> pd.DataFrame:
    """People whose quarter score is at or above the admin's bar in `quarter` and the quarter before."""
    cards = {m: score_month(engine, m) for m in promotion_months(quarter)}
    return promotion_flags_of(quarter, cards, load_definitions(engine), promotion_bar(engine))


def promotion_flags_of(
    quarter: str, cards_by_month: Mapping[str, list[Card]], definitions: tuple[Definition, ...], bar: float
) -> pd.DataFrame:
    """`promotion_flags` from the months' cards already scored (`cards_by_month`: `promotion_months`)."""
    before = previous_quarter(quarter)
    now_q = quarter_scores_of(quarter, cards_by_month, definitions).set_index("person_id")
    prev_q = quarter_scores_of(before, cards_by_month, definitions).set_index("person_id")
    rows = []
    for pid, rec in now_q.iterrows():
        a = number_or_none(rec["quarter"])
        b = number_or_none(prev_q["quarter"].get(pid)) if pid in prev_q.index else None
        if a is not None and b is not None and a >= bar - EPS and b >= bar - EPS:
            rows.append((int(pid), rec["person"], rec["position"], rec["team"], b, a))  # type: ignore[call-overload]  # index: person ids
    return pd.DataFrame(rows, columns=["person_id", "person", "position", "team", before, quarter])


def trend_months(month: str, months: int = TREND_MONTHS) -> list[str]:
    """The `months` months ending with `month`, oldest first."""
    return [shift_month_key(month, -i) for i in range(months - 1, -1, -1)]


def trend(
    engine: Engine, month: str, position: str | None = None, months: int = TREND_MONTHS
) -> pd.DataFrame:
    """Each person's total over the `months` months ending with `month`: month, person, position, total."""
    return trend_of({m: score_month(engine, m, position) for m in trend_months(month, months)})


def trend_of(cards_by_month: Mapping[str, list[Card]]) -> pd.DataFrame:
    """`trend` from the months' cards already scored, in the mapping's order (`trend_months`)."""
    rows = [(m, c.person, c.position, c.total) for m, cards in cards_by_month.items() for c in cards]
    return pd.DataFrame(rows, columns=["month", "person", "position", "total"])
