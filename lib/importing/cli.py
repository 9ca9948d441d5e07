"""`python -m lib.cli import FILE... [--kind K] [--profile P] [--dry-run] [--user U] [--lang L]`

Prints one JSON object per file (file, kind, profile, inserted, updated, unchanged, rejected,
errors[{row, column, value, reason}]); a file another domain claims (a schedule, 排期表: lib.plan) goes
through that domain's importer and prints the same keys (lib.importing.other_kinds); exit status 0 when every file was committed (or would be, with
--dry-run), 1 when any was refused (a file that cannot be opened counts as refused).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lib.core.i18n import LANGUAGES


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "import",
        help="import export files (sessions, roster, incidents, manual metrics) and schedules (排期表)",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--kind",
        type=_kind,
        metavar="{" + ",".join(FILE_KINDS) + ",...}",
        help="the file's kind (default: detected from the header); also another domain's, e.g. schedule",
    )
    p.add_argument("--profile", help="profile name (default: detected from the header)")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--user", default="cli", help="recorded as the uploader (default: cli)")
    p.add_argument("--lang", choices=LANGUAGES, default="zh", help="language of the reasons (default zh)")
    p.set_defaults(handler=cmd_import)


FILE_KINDS = ("sessions", "roster", "incidents", "manual_metrics")


def _kind(text: str) -> str:
    """A --kind: one of the export kinds or of the kinds other domains registered (read when the command
    line is parsed, after every domain registered its commands)."""
    from lib.importing.other_kinds import KINDS

    if text not in (*FILE_KINDS, *KINDS):
        raise argparse.ArgumentTypeError(
            f"invalid choice: {text!r} (choose from {', '.join((*FILE_KINDS, *KINDS))})"
        )
    return text


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
    """Each file's name (stored with its batch) and bytes, read only when its turn comes."""
    from lib.importing.readers import ReadError

    for name in files:
        path = Path(name)
        try:
            yield path.name, read_limited(path)
        except (OSError, ReadError) as exc:
            yield path.name, exc


def read_limited(path: Path) -> bytes:
    """A regular file's bytes, never more than the upload limit: a device, FIFO or directory is refused
    without reading (opened non-blocking, so a FIFO with no writer cannot hang the run), a file whose size
    on disk is above the limit is refused unread, and since that size can lie (/proc files say 0, a file
    can grow) at most limit + 1 bytes are read."""
    from lib.importing.readers import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, ReadError, check_size

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb", buffering=0) as fh:
        info = os.fstat(fd)  # of what was opened, not of what the name pointed at a moment before
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("not_regular_file")
        check_size(info.st_size)
        chunks, left = [], MAX_UPLOAD_BYTES + 1
        while left > 0 and (chunk := fh.read(min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    if left <= 0:
        raise ReadError("file_too_large", size_mb=f"{MAX_UPLOAD_MB}+", limit_mb=MAX_UPLOAD_MB)
    return b"".join(chunks)
