"""`python -m lib.cli survey-results --round R [--json]`: a round's results with the page's suppression."""

from __future__ import annotations

import argparse
import json
import sys

from lib.core.db import get_engine
from lib.core.i18n import translate
from lib.core.schema import upgrade
from lib.surveys.model import SurveyError
from lib.surveys.present import results_json
from lib.surveys.results import round_results


def cmd_survey_results(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    try:
        res = round_results(engine, args.round)
    except SurveyError as exc:
        print("error: " + translate(f"survey.error.{exc.code}", "en", **exc.params), file=sys.stderr)
        return 2
    data = results_json(res)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{data['round']['name']} ({data['round']['period']}, {data['round']['status']})")
    if not res.available:
        print("results appear when the round is closed")
    elif not res.total.shown:
        print(f"fewer than {res.thresholds.k} responses: nothing shown")
    else:
        print(f"responses {res.total.n}, mean {res.total.mean:.2f} (target {res.target})")
        print("rated by the others:")
        for row in data["rated"]:  # no count: total minus it would size the department's own respondents
            print(
                f"  {row['department']}: {row['mean']:.2f}"
                if row["shown"]
                else f"  {row['department']}: hidden"
            )
    return 0


MAX_ROUND_ID = 2**31 - 1  # the id column's range on every database


def round_id(text: str) -> int:
    """`--round`: a positive whole number in the id column's range (else argparse says so, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_ROUND_ID:
        raise argparse.ArgumentTypeError(f"no survey round with id {text} (ids are 1 to {MAX_ROUND_ID})")
    return value


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("survey-results", help=translate("survey.cli.help", "en"))
    p.add_argument("--round", type=round_id, required=True, help="survey round id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_survey_results)
