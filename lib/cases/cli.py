"""`python -m lib.cli cases search|export ...`: find cases and export them to Markdown or XLSX.

Without `--as USER` the command sees what everybody sees (published cases); with it, what that user sees.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lib.cases import searching as cq
from lib.cases.exports import EXPORT_LIMIT, cases_for_export, cases_markdown, cases_xlsx
from lib.cases.model import STATUSES, Viewer, viewer_of
from lib.cases.queries import get_case
from lib.core.auth import load_user
from lib.core.bounds import date_arg, id_arg, int_arg
from lib.core.db import get_engine
from lib.core.platforms import PLATFORMS
from lib.core.schema import upgrade

PUBLIC = Viewer("", "staff")  # matches no author: published cases only
SEARCH_HELP = "search cases by words (Chinese included) and filters; best match first"
EXPORT_HELP = "export one case (--id) or the cases a search finds to Markdown or XLSX"


def _viewer(engine: Any, username: str | None) -> Viewer | None:
    if not username:
        return PUBLIC
    with engine.connect() as conn:
        user = load_user(conn, username)
    return None if user is None else viewer_of(user)


def _query(args: argparse.Namespace) -> cq.CaseQuery:
    return cq.CaseQuery(
        " ".join(args.words),
        args.category or "",
        args.tag or "",
        args.platform or "",
        args.host or "",
        args.date_from,
        args.date_to,
        args.status or "",
        args.limit,
    )


def _setup(args: argparse.Namespace) -> tuple[Any, Viewer] | None:
    if args.date_from and args.date_to and args.date_to < args.date_from:
        print(f"error: --to {args.date_to} is before --from {args.date_from}", file=sys.stderr)
        return None
    engine = get_engine()
    upgrade(engine)
    viewer = _viewer(engine, args.as_user)
    if viewer is None:
        print(f"error: --as {args.as_user!r}: no active user with that name", file=sys.stderr)
        return None
    return engine, viewer


def cmd_search(args: argparse.Namespace) -> int:
    setup = _setup(args)
    if setup is None:
        return 2
    engine, viewer = setup
    result = cq.search(engine, viewer, _query(args))
    rows = [
        {
            "id": r["id"],
            "title": r["title"],
            "case_date": r["case_date"].isoformat(),
            "platform": r["platform"],
            "category": r["category"],
            "tags": r["tags"],
            "status": r["status"],
            "author": r["author"],
            "score": r["score"],
            "snippet": "".join(p for p, _ in r["snippet"]),
        }
        for r in result["rows"]
    ]
    if args.json:
        print(json.dumps({"total": result["total"], "rows": rows}, ensure_ascii=False))
        return 0
    if not rows:
        print("no case matches", file=sys.stderr)
        return 0
    for r in rows:
        print("\t".join([str(r["id"]), r["case_date"], r["status"], r["title"], "、".join(r["tags"])]))
    print(f"{result['total']} cases", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    setup = _setup(args)
    if setup is None:
        return 2
    engine, viewer = setup
    if args.id is not None:
        case = get_case(engine, viewer, args.id)
        if case is None:
            print(f"error: --id {args.id}: no such case visible to this user", file=sys.stderr)
            return 2
        found = [case]
    else:
        found = cases_for_export(engine, viewer, _query(args))
    out = Path(args.out)
    if not out.parent.exists():
        print(f"error: --out {args.out}: folder {out.parent} does not exist", file=sys.stderr)
        return 2
    if args.format == "md":
        out.write_text(cases_markdown(found, args.lang), encoding="utf-8")
    else:
        out.write_bytes(cases_xlsx(found, args.lang))
    print(f"wrote {len(found)} cases to {out}", file=sys.stderr)
    return 0


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("words", nargs="*", help="words to find (all must match)")
    p.add_argument("--category")
    p.add_argument("--tag")
    p.add_argument("--platform", choices=PLATFORMS)
    p.add_argument("--host", help="host of a linked session (roster name or name as exported)")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first case date")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last case date (inclusive)")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument(
        "--as", dest="as_user", metavar="USER", help="see what this user sees (default: published)"
    )


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cases", help="case library: search, export", description=__doc__.splitlines()[0]
    )
    sub = p.add_subparsers(dest="cases_command", required=True)
    s = sub.add_parser("search", help=SEARCH_HELP, description=SEARCH_HELP)
    _filters(s)
    s.add_argument(
        "--limit", type=int_arg(1, EXPORT_LIMIT), default=cq.SEARCH_LIMIT, metavar=f"1..{EXPORT_LIMIT}"
    )
    s.add_argument("--json", action="store_true", help="print {total, rows} as JSON")
    s.set_defaults(handler=cmd_search)
    e = sub.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP)
    _filters(e)
    e.add_argument("--id", type=id_arg, help="export this one case")
    e.add_argument("--format", choices=("md", "xlsx"), required=True)
    e.add_argument("--out", required=True, help="file to write")
    e.add_argument("--lang", choices=("zh", "en"), default="zh")
    e.set_defaults(handler=cmd_export, limit=EXPORT_LIMIT)
