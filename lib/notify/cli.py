"""`python -m lib.cli notify ...`: channels, rules, and `--due` (what is due now, sent once)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lib.core.bounds import date_arg, int_arg
from lib.core.db import get_engine, write
from lib.core.schema import upgrade
from lib.notify import actions, channels, due
from lib.notify.model import AUDIENCES, KINDS, MESSAGES, NotifyError


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def _channel(args: argparse.Namespace, engine: Any) -> int:
    if args.channel_command == "add":
        with write(engine) as conn:
            channels.add_channel(conn, args.name, args.kind, args.url, args.secret, "cli", args.language)
        print(f"channel {args.name} added", file=sys.stderr)
    elif args.channel_command == "list":
        with engine.connect() as conn:
            rows = channels.list_channels(conn)
        if args.json:
            _print(rows)
        else:
            for r in rows:
                print(f"{r['name']}\t{r['kind']}\t{r['url']}\t{'on' if r['active'] else 'off'}")
    elif args.channel_command == "test":
        outcome = actions.send_test(engine, args.name, "cli")
        _print(
            {
                "channel": args.name,
                "status": outcome.status,
                "attempts": outcome.attempts,
                "answer": outcome.answer,
            }
        )
        return 0 if outcome.status == "sent" else 1
    return 0


def _rule(args: argparse.Namespace, engine: Any) -> int:
    if args.rule_command == "add":
        with write(engine) as conn:
            rule_id = channels.add_rule(
                conn,
                args.message,
                args.channel,
                "cli",
                args.at,
                args.weekday,
                args.audience,
                (args.quiet_from, args.quiet_to),
            )
        print(f"rule {rule_id} added", file=sys.stderr)
    else:
        with engine.connect() as conn:
            rows = channels.list_rules(conn)
        keys = (
            "id",
            "message",
            "channel",
            "kind",
            "at_time",
            "weekday",
            "audience",
            "quiet_from",
            "quiet_to",
            "active",
        )
        _print([{k: r[k] for k in keys} for r in rows]) if args.json else [
            print(r["id"], r["message"], r["channel"]) for r in rows
        ]
    return 0


def _weekly(args: argparse.Namespace, engine: Any) -> int:
    from pathlib import Path

    from lib.core import clock
    from lib.notify.weekly import weekly_report
    from lib.notify.weekly_files import weekly_pdf, weekly_xlsx

    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        print(f"error: --out {args.out}: the file name must end in .pdf or .xlsx", file=sys.stderr)
        return 2
    report = weekly_report(engine, args.date or clock.today())
    data = (
        weekly_pdf(engine, report, args.lang)
        if out.suffix.lower() == ".pdf"
        else weekly_xlsx(report, args.lang)
    )
    out.write_bytes(data)
    _print({"file": str(out), "bytes": len(data), "from": report.start, "to": report.end})
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    try:
        if args.notify_command == "channel":
            return _channel(args, engine)
        if args.notify_command == "rule":
            return _rule(args, engine)
        if args.notify_command == "weekly":
            return _weekly(args, engine)
        if not args.due:
            print("error: give --due, or a subcommand: channel, rule (see --help)", file=sys.stderr)
            return 2
        results = due.run_due(engine, dry_run=args.dry_run, actor="cli")
    except NotifyError as exc:
        print("error: " + exc.message("en"), file=sys.stderr)
        return 2
    for r in results:
        _print(r) if args.json else print(
            f"{r['status']}\t{r['message']}\t{r['channel']}\t{r['key']}\t{r['answer']}"
        )
    return 1 if any(r["status"] == "failed" for r in results) else 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("notify", help="chat-group robots: channels, rules, and sending what is due")
    p.add_argument("--due", action="store_true", help="send what is due now (team time), each message once")
    p.add_argument("--dry-run", action="store_true", help="with --due: build and list, send nothing")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    sub = p.add_subparsers(dest="notify_command")
    ch = sub.add_parser("channel", help="group robots and webhooks").add_subparsers(
        dest="channel_command", required=True
    )
    pa = ch.add_parser("add", help="add a robot (URL and secret are shown only masked afterwards)")
    pa.add_argument("name")
    pa.add_argument("--kind", required=True, choices=KINDS)
    pa.add_argument("--url", required=True, help="the robot's webhook URL")
    pa.add_argument("--secret", help="DingTalk/Feishu signing secret")
    pa.add_argument("--language", choices=("zh", "en"), default="zh")
    pl = ch.add_parser("list", help="channels, URL and secret masked")
    pl.add_argument("--json", action="store_true")
    pt = ch.add_parser("test", help="send a test message and print the platform's answer")
    pt.add_argument("name")
    ru = sub.add_parser("rule", help="which message goes where and when").add_subparsers(
        dest="rule_command", required=True
    )
    ra = ru.add_parser("add", help="add a rule")
    ra.add_argument("--message", required=True, choices=MESSAGES)
    ra.add_argument("--channel", required=True)
    ra.add_argument("--at", help="HH:MM team time (brief, weekly)")
    ra.add_argument("--weekday", type=int_arg(1, 7), help="1 = Monday ... 7 = Sunday")
    ra.add_argument(
        "--audience", choices=AUDIENCES, default="manager", help="built as this role sees the pages"
    )
    ra.add_argument("--quiet-from", help="HH:MM: nothing is sent from then ...")
    ra.add_argument("--quiet-to", help="HH:MM: ... until then")
    rl = ru.add_parser("list", help="rules")
    rl.add_argument("--json", action="store_true")
    pw = sub.add_parser("weekly", help="write the weekly report (Monday to --date) as PDF or XLSX")
    pw.add_argument("--date", type=date_arg, help="the report's last day (default: today, team time)")
    pw.add_argument("--out", required=True, help="FILE.pdf or FILE.xlsx")
    pw.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(handler=cmd_notify)
