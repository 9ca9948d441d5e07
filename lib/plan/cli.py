"""`python -m lib.cli schedule import FILE | list --from D --to D | compare --from D --to D | undo REF`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lib import importing
from lib.core import clock
from lib.core.bounds import date_arg
from lib.core.db import get_engine
from lib.core.schema import upgrade
from lib.plan.compare import compare, script_timeliness
from lib.plan.importer import import_file, is_schedule, undo_import
from lib.plan.model import PlanError
from lib.plan.queries import schedule


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=_plain))


def _engine() -> Engine:
    engine = get_engine()
    upgrade(engine)
    return engine


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: not a regular file: {args.file}", file=sys.stderr)
        return 2
    importing.check_size(path.stat().st_size)
    report = import_file(_engine(), path.read_bytes(), path.name, args.user, args.dry_run)
    checked = report.checked
    out = {
        "file": str(path),
        "rows": len(checked.rows),
        "import_ref": report.import_ref,
        "committed": report.import_ref is not None,
        "file_error": checked.file_error.message(args.lang) if checked.file_error else None,
        "errors": [
            {"row": e.row, "column": e.column, "code": e.error.code, "message": e.error.message(args.lang)}
            for e in checked.errors
        ],
    }
    _print(out)
    return 0 if report.ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    rows = schedule(_engine(), args.date_from, args.date_to, clock.now())
    _print([{k: _plain(v) for k, v in r.items()} for r in rows])
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    engine, now = _engine(), clock.now()
    result = compare(engine, args.date_from, args.date_to, now, ops_owner=args.owner)
    scripts = script_timeliness(engine, args.date_from, args.date_to, now)
    _print(
        {
            "planned": result.planned,
            "held_as_planned": result.held_as_planned,
            "schedule_accuracy": result.accuracy,
            "forecast_error_gmv": result.mape("forecast_gmv", "gmv"),
            "forecast_error_viewers": result.mape("forecast_viewers", "viewers"),
            "scripts_due": scripts.due,
            "scripts_on_time": scripts.on_time,
            "script_timeliness": scripts.rate,
            "matches": [
                {
                    "planned_id": m.planned.id,
                    "session_id": m.held.id,
                    "start_delta_minutes": m.start_delta_minutes,
                    "length_delta_minutes": m.length_delta_minutes,
                    "as_planned": m.as_planned,
                    "reasons": m.reasons,
                }
                for m in result.matches
            ],
            "unmatched_planned": [p.id for p in result.unmatched_planned],
            "unmatched_held": [h.id for h in result.unmatched_held],
        }
    )
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    try:
        count = undo_import(_engine(), args.ref, args.user)
    except PlanError as exc:
        print(f"error: {exc.message(args.lang)}", file=sys.stderr)
        return 1
    _print({"import_ref": args.ref, "removed": count})
    return 0


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=date_arg, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=date_arg, required=True, help="last day, inclusive")
    p.add_argument("--json", action="store_true", help="JSON output (the only output)")


def register_cli(subparsers: Any) -> None:
    # `python -m lib.cli import FILE` knows a schedule by its header and imports it here (one path).
    importing.register_kind(importing.OtherKind("schedule", is_schedule, import_file))
    p = subparsers.add_parser(
        "schedule", help="the schedule (排期表): import a file, list, compare with what happened"
    )
    sub = p.add_subparsers(dest="schedule_command", required=True)
    pi = sub.add_parser("import", help="import a schedule file (CSV/XLSX), all rows or none; JSON report")
    pi.add_argument("file")
    pi.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    pi.add_argument("--user", default="cli", help="recorded as the planner (default: cli)")
    pi.add_argument("--lang", choices=("zh", "en"), default="zh")
    pi.set_defaults(handler=cmd_import)
    pl = sub.add_parser("list", help="planned sessions starting in the period, with script status")
    _period(pl)
    pl.set_defaults(handler=cmd_list)
    pc = sub.add_parser(
        "compare", help="plan against what happened: schedule accuracy, MAPE, script timeliness"
    )
    _period(pc)
    pc.add_argument("--owner", default=None, help="count only this operations owner's planned sessions")
    pc.set_defaults(handler=cmd_compare)
    pu = sub.add_parser("undo", help="remove the sessions of one schedule import (if none changed since)")
    pu.add_argument("ref", help="the import_ref printed by `schedule import`")
    pu.add_argument("--user", default="cli")
    pu.add_argument("--lang", choices=("zh", "en"), default="zh")
    pu.set_defaults(handler=cmd_undo)
