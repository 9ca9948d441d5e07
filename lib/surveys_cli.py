"""`python -m lib.cli survey-results --round R [--json]`: a round's results with the page's suppression."""

from __future__ import annotations

import argparse
import json
import sys

from lib import surveys
from lib.db import get_engine
from lib.i18n import translate
from lib.schema import upgrade


def cmd_survey_results(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    try:
        res = surveys.round_results(engine, args.round)
    except surveys.SurveyError as exc:
        print("error: " + translate(f"survey.error.{exc.code}", "en", **exc.params), file=sys.stderr)
        return 2
    data = surveys.results_json(res)
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
        for row in data["rated"]:
            value = f"{row['mean']:.2f} ({row['responses']})" if row["shown"] else "hidden"
            print(f"  {row['department']}: {value}")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("survey-results", help=translate("survey.cli.help", "en"))
    p.add_argument("--round", type=int, required=True, help="survey round id")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_survey_results)
