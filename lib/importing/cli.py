"""`python -m lib.cli import FILE... [--kind K] [--profile P] [--dry-run] [--user U] [--lang L]`

Prints one JSON object per file (file, kind, profile, inserted, updated, unchanged, rejected,
errors[{row, column, value, reason}]); exit status 0 when every file was committed (or would be, with
--dry-run), 1 when any was refused (a file that cannot be opened counts as refused).
"""

from __future__ import annotations

import argparse
import json
import sys
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
    from lib.importing.pipeline import import_bytes, refused_file
    from lib.importing.readers import ReadError, check_size

    engine = get_engine()
    upgrade(engine)
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            check_size(path.stat().st_size)  # never read a file above the upload limit into memory
            data = path.read_bytes()
        except OSError as exc:
            print(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            status = 1
            continue
        except ReadError as exc:
            report = refused_file(path.name, exc)
        else:
            report = import_bytes(
                engine,
                data,
                path.name,
                username=args.user,
                kind=args.kind,
                profile=args.profile,
                dry_run=args.dry_run,
            )
        out = report.as_dict(args.lang)
        out["file"] = name
        print(json.dumps(out, ensure_ascii=False, default=str))
        sys.stdout.flush()
        if not report.ok:
            status = max(status, 1)
    return status
