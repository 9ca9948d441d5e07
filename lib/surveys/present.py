"""Tables, JSON and texts of survey results for the pages and the CLI; texts in the given language."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from lib.core.formatting import md_escape
from lib.core.i18n import DEFAULT_LANGUAGE, translate
from lib.surveys.model import SCORES, Figure, Question, RoundInfo, RoundResults, SurveyError


def rated_frame(res: RoundResults, question: str | None = None) -> pd.DataFrame:
    """One row per rated department: mean (NaN when hidden) and gap to target (counts: see round_results)."""
    records = []
    for dept_id, name in res.departments.items():
        fig = res.rated.get(dept_id)
        if fig is None:
            continue
        mean = fig.mean_for(question) if fig.shown else None
        records.append(
            {
                "department": name,
                "shown": fig.shown,
                "mean": mean,
                "gap": None if mean is None else round(mean - res.target, 2),
                "meets_target": None if mean is None else mean >= res.target,
            }
        )
    return pd.DataFrame(records, columns=["department", "shown", "mean", "gap", "meets_target"])


def shown_groups(res: RoundResults) -> dict[str, Figure]:
    """Shown rated departments, then shown (rater → rated) pairs, by label: for the distribution picker."""
    names = res.departments
    out = {names[d]: fig for d, fig in sorted(res.rated.items()) if fig.shown}
    out.update({f"{names[a]} → {names[b]}": fig for (a, b), fig in sorted(res.pairs.items()) if fig.shown})
    return out


def pair_frame(res: RoundResults, question: str | None = None) -> pd.DataFrame:
    """The (rater, rated) matrix in long form; hidden cells keep their place with no numbers."""
    records = [
        {
            "rater": res.departments[f],
            "rated": res.departments[t],
            "shown": fig.shown,
            "responses": fig.n if fig.shown else None,
            "mean": fig.mean_for(question) if fig.shown else None,
        }
        for (f, t), fig in sorted(res.pairs.items())
    ]
    return pd.DataFrame(records, columns=["rater", "rated", "shown", "responses", "mean"])


def response_frame(res: RoundResults) -> pd.DataFrame:
    """Response rate per rater department: responses / users when the round opened (shown groups only)."""
    records = []
    for dept_id, name in res.departments.items():
        responses = res.responses.get(dept_id)
        users = res.eligible.get(dept_id)
        if dept_id not in res.responses and not users:
            continue
        shown = responses is not None
        rate = responses / users if responses is not None and users else None
        records.append(
            {
                "department": name,
                "shown": shown,
                "responses": responses,
                "users": users,
                "rate": rate,
            }
        )
    return pd.DataFrame(records, columns=["department", "shown", "responses", "users", "rate"])


def display_table(frame: pd.DataFrame, columns: Iterable[str], lang: str) -> pd.DataFrame:
    """Text cells for st.dataframe: numbers formatted, hidden groups marked, headers translated."""
    formats = {"mean": "{:.2f}", "gap": "{:+.2f}", "rate": "{:.0%}", "responses": "{:.0f}", "users": "{:.0f}"}
    hidden = translate("survey.results.hidden", lang)
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        fmt = formats.get(column)
        values = frame[column]
        if fmt is not None:
            values = values.map(lambda v, fmt=fmt: fmt.format(v) if pd.notna(v) else "")
        elif column == "meets_target":
            values = values.map(lambda v: "" if v is None or pd.isna(v) else ("✓" if v else "✗"))
        if column not in ("department", "rater", "rated", "users"):
            values = values.where(frame["shown"].astype(bool), hidden)
        out[translate(f"survey.results.{column}", lang)] = values.astype(str)
    return out


def rounds_table(rounds: tuple[RoundInfo, ...], lang: str) -> pd.DataFrame:
    """The round list for the management tab, headers and status translated."""
    return pd.DataFrame(
        [
            {
                translate("survey.rounds.name", lang): r.name,
                translate("survey.rounds.period", lang): r.period,
                translate("survey.rounds.status", lang): translate(f"survey.rounds.status_{r.status}", lang),
            }
            for r in rounds
        ]
    )


def _fig_json(fig: Figure) -> dict:
    if not fig.shown:
        return {"shown": False}
    return {
        "shown": True,
        **({"responses": fig.n} if fig.n is not None else {}),
        "mean": fig.mean,
        "questions": fig.question_means,
        "distribution": {k: dict(zip(map(str, SCORES), v, strict=True)) for k, v in fig.distribution.items()},
    }


def results_json(res: RoundResults) -> dict:
    """The CLI's JSON: the same suppressed figures as the page; comments only as "shown"/count."""
    names = res.departments
    rate = response_frame(res)
    return {
        "round": {
            "id": res.round.id,
            "name": res.round.name,
            "period": res.round.period,
            "status": res.round.status,
        },
        "available": res.available,
        "thresholds": {"k": res.thresholds.k, "comment_k": res.thresholds.comment_k},
        "target": res.target,
        "total": _fig_json(res.total),
        "rated": [{"department": names[d], **_fig_json(f)} for d, f in sorted(res.rated.items())],
        "raters": [{"department": names[d], **_fig_json(f)} for d, f in sorted(res.raters.items())],
        "pairs": [
            {"rater": names[a], "rated": names[b], **_fig_json(f)} for (a, b), f in sorted(res.pairs.items())
        ],
        "response_rates": [
            {"department": r.department, "shown": bool(r.shown)}
            | ({"responses": int(r.responses), "users": r.users, "rate": r.rate} if r.shown else {})  # type: ignore[arg-type]  # shown: a count
            for r in rate.itertuples()
        ],
        "comments": {"shown": res.comments_shown},
    }


def message(exc: SurveyError, lang: str = DEFAULT_LANGUAGE, questions: Iterable[Question] = ()) -> str:
    """A refusal in the user's language (question keys shown as their text), escaped for markdown."""
    params = dict(exc.params)
    labels = {q.key: q.label(lang) for q in questions}
    if params.get("question") in labels:
        params["question"] = labels[params["question"]]
    return translate(f"survey.error.{exc.code}", lang, **{k: md_escape(v) for k, v in params.items()})
