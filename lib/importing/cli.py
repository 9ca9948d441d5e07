"""`python -m lib.cli import FILE... [--kind K] [--profile P] [--dry-run] [--user U] [--lang L]`

Prints one JSON object per file (file, kind, profile, inserted, updated, unchanged, rejected,
errors[{row, column, value, reason}]); exit status 0 when every file was committed (or would be, with
--dry-run), 1 when any was refused (a file that cannot be opened counts as refused).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lib.core.i18n import LANGUAGES


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import", help="import export files (sessions, roster, incidents, manual metrics)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", choices=("sessions", "roster", "incidents", "manual_metrics"))
    p.add_argument("--profile", help="profile name (default: detected from the header)")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--user", default="cli", help="recorded as the uploader (default: cli)")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="language of the reasons (default zh)")
    p.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from lib.core.db import get_engine
    from lib.core.schema import upgrade
    from lib.importing.many import import_many

    engine = get_engine()
    upgrade(engine)
    status = 0
    outcomes = import_many(
        engine,
        _sources(args.files),
        username=args.user,
        kind=args.kind,
        profile=args.profile,
        dry_run=args.dry_run,
        parallel=len(args.files) > 1,
    )
    for name, (_file_name, report) in zip(args.files, outcomes, strict=True):
        if isinstance(report, OSError):
            print(json.dumps({"file": name, "error": str(report)}, ensure_ascii=False))
            status = 1
            continue
        out = report.as_dict(args.lang)
        out["file"] = name
        print(json.dumps(out, ensure_ascii=False, default=str))
        sys.stdout.flush()
        if not report.ok:
            status = max(status, 1)
    return status


def _sources(files: list[str]) -> Iterator[tuple[str, Any]]:
    """Each file's name (stored with its batch) and bytes, read only when its turn comes (never a file above
    the upload limit)."""
    from lib.importing.readers import ReadError, check_size

    for name in files:
        path = Path(name)
        try:
            check_size(path.stat().st_size)
            yield path.name, path.read_bytes()
        except (OSError, ReadError) as exc:
            yield path.name, exc
