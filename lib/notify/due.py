"""`notify --due`: what is due at the clock's moment (team time), sent once.

For each active rule on an active channel, outside its quiet hours: a scheduled message (brief, weekly) is
due from its time of day until the day ends (a late cron run still sends it, once), keyed by its day or
week; events are keyed one by one, and those new since the rule's last message are folded into one
message, at most one per FOLD_WINDOW_MINUTES per rule. Every send is claimed in the send log before the
robot is called (lib.notify.sendlog says what a crash in between leaves). Messages a robot's rate limit
held back (deferred) go first on the next run.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select

from lib.core import clock
from lib.core.models import NotifySend
from lib.notify import channels, platforms, sendlog
from lib.notify.brief import brief
from lib.notify.events import SOURCES, Event, fold
from lib.notify.model import EVENTS, FOLD_WINDOW_MINUTES, Message, NotifyError
from lib.notify.sender import Outcome, deliver, over_limit
from lib.notify.weekly import weekly_message, weekly_report

STALE_SENDING = dt.timedelta(
    minutes=5
)  # a `sending` row this old was left by a crash: send again may take it


@dataclass(frozen=True)
class Result:
    rule: int | None
    message: str
    channel: str
    key: str
    status: str  # sent / already_sent / failed / deferred / dry_run
    attempts: int = 0
    answer: str = ""
    items: int = 1


def _in_quiet(rule: dict[str, Any], moment: dt.datetime) -> bool:
    start: str | None = rule["quiet_from"]
    end: str | None = rule["quiet_to"]
    if not start or not end:
        return False
    now_hm = moment.strftime("%H:%M")
    return start <= now_hm < end if start <= end else (now_hm >= start or now_hm < end)


def period_key(rule: dict[str, Any], moment: dt.datetime) -> str | None:
    """The period a scheduled rule is due for at `moment`, or None when it is not due."""
    if rule["weekday"] is not None and moment.isoweekday() != rule["weekday"]:
        return None
    if moment.time() < channels.effective_time(rule["kind"], rule["at_time"]):
        return None
    if rule["message"] == "weekly":
        year, week, _ = moment.date().isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"{rule['message']}:{moment.date().isoformat()}"


def build_scheduled(engine: Engine, rule: dict[str, Any], today: dt.date, lang: str) -> Message:
    if rule["message"] == "brief":
        return brief(engine, today, rule["audience"], lang)
    if rule["message"] == "weekly":
        return weekly_message(engine, weekly_report(engine, today, rule["audience"]), lang)
    raise NotifyError("not_built", message=rule["message"])


def _new_events(engine: Engine, rule: dict[str, Any], today: dt.date, lang: str) -> list[Event]:
    events = SOURCES[rule["message"]](engine, today, rule["audience"], lang)
    keys = [sendlog.send_key(rule["id"], e.key, rule["channel_id"]) for e in events]
    if not keys:
        return []
    with engine.connect() as conn:
        taken = set(conn.execute(select(NotifySend.key).where(NotifySend.key.in_(keys))).scalars())
    return [e for e, k in zip(events, keys, strict=True) if k not in taken]


def _send(engine: Engine, channel: dict[str, Any], send_id: int, body: dict[str, Any], actor: str) -> Outcome:
    if over_limit(engine, channel):
        outcome = Outcome(
            "deferred", 0, "rate limit: the robot's messages for this minute are used; next run"
        )
    else:
        outcome = deliver(channel, body)
    sendlog.mark(engine, send_id, outcome.status, outcome.attempts, outcome.answer, actor)
    return outcome


def _scheduled(
    engine: Engine, rule: dict[str, Any], ch: dict[str, Any], moment: dt.datetime, dry: bool, actor: str
) -> list[Result]:
    part = period_key(rule, moment)
    if part is None:
        return []
    key = sendlog.send_key(rule["id"], part, ch["id"])
    base = Result(rule["id"], rule["message"], ch["name"], key, "already_sent")
    with engine.connect() as conn:
        if conn.execute(select(NotifySend.id).where(NotifySend.key == key)).first():
            return [base]
    message = build_scheduled(engine, rule, moment.date(), ch["language"])
    body = platforms.render(ch["kind"], message)
    if dry:
        return [Result(**{**asdict(base), "status": "dry_run"})]
    send_id = sendlog.claim(engine, key, rule["id"], ch["id"], rule["message"])
    if send_id is None:  # another run claimed it between our look and our claim
        return [base]
    sendlog.set_body(engine, send_id, body, 1)
    outcome = _send(engine, ch, send_id, body, actor)
    return [
        Result(rule["id"], rule["message"], ch["name"], key, outcome.status, outcome.attempts, outcome.answer)
    ]


def _events(
    engine: Engine, rule: dict[str, Any], ch: dict[str, Any], moment: dt.datetime, dry: bool, actor: str
) -> list[Result]:
    last = sendlog.last_sent(engine, rule["id"])
    if last is not None and moment - last < dt.timedelta(minutes=FOLD_WINDOW_MINUTES):
        return []  # inside the storm window: new events wait and go out folded
    events = _new_events(engine, rule, moment.date(), ch["language"])
    if not events:
        return []
    if dry:
        key = sendlog.send_key(rule["id"], events[0].key, ch["id"])
        return [Result(rule["id"], rule["message"], ch["name"], key, "dry_run", items=len(events))]
    # One message per rule and window, whoever runs: the window's slot is claimed first and carries the
    # message; the events are claimed under it (an event already told by another run is skipped).
    slot = f"fold:{moment:%Y-%m-%dT%H}:{moment.minute // FOLD_WINDOW_MINUTES}"
    key = sendlog.send_key(rule["id"], slot, ch["id"])
    carrier = sendlog.claim(engine, key, rule["id"], ch["id"], rule["message"])
    if carrier is None:
        return []
    mine = []
    for event in events:
        event_key = sendlog.send_key(rule["id"], event.key, ch["id"])
        if sendlog.claim(engine, event_key, rule["id"], ch["id"], rule["message"], carried_by=carrier):
            mine.append(event)
    if not mine:
        sendlog.release(engine, carrier)
        return []
    message = fold(engine, rule["message"], mine, moment.date(), rule["audience"], ch["language"])
    body = platforms.render(ch["kind"], message)
    sendlog.set_body(engine, carrier, body, len(mine))
    outcome = _send(engine, ch, carrier, body, actor)
    return [
        Result(
            rule["id"],
            rule["message"],
            ch["name"],
            key,
            outcome.status,
            outcome.attempts,
            outcome.answer,
            len(mine),
        )
    ]


def _deferred(engine: Engine, by_id: dict[int, dict[str, Any]], actor: str) -> list[Result]:
    out = []
    for row in sendlog.deferred(engine):
        ch = by_id.get(row["channel_id"])
        if (
            ch is None
            or not ch["active"]
            or over_limit(engine, ch)
            or not sendlog.take(engine, row["id"], ("deferred",))
        ):
            continue
        outcome = _send(engine, ch, row["id"], json.loads(row["body"]), actor)
        out.append(
            Result(
                row["rule_id"],
                row["message"],
                ch["name"],
                row["key"],
                outcome.status,
                outcome.attempts,
                outcome.answer,
                row["items"],
            )
        )
    return out


def run_due(engine: Engine, dry_run: bool = False, actor: str = "notify") -> list[dict[str, Any]]:
    """Send what is due now; one dict per message (see Result)."""
    moment = clock.now()
    with engine.connect() as conn:
        by_id = {c["id"]: c for c in channels.list_channels(conn, with_secrets=True)}
        rules = channels.list_rules(conn)
    results = [] if dry_run else _deferred(engine, by_id, actor)
    for rule in rules:
        ch = by_id[rule["channel_id"]]
        if not rule["active"] or not ch["active"] or _in_quiet(rule, moment):
            continue
        handler = _events if rule["message"] in EVENTS else _scheduled
        try:
            results += handler(engine, rule, ch, moment, dry_run, actor)
        except NotifyError as exc:
            results.append(
                Result(rule["id"], rule["message"], ch["name"], "", "failed", answer=exc.message("en"))
            )
    return [asdict(r) for r in results]
