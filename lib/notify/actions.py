"""The admin's one-click actions: send a test message, preview a rule's message exactly as it would be
sent, and send a failed (or crash-stranded) message again."""

from __future__ import annotations

import json
from typing import Any

from lib.core import clock
from lib.core.i18n import translate
from lib.notify import channels, platforms, sendlog
from lib.notify.due import STALE_SENDING, build_scheduled
from lib.notify.events import SOURCES, fold
from lib.notify.model import EVENTS, Message, NotifyError
from lib.notify.sender import Outcome, deliver


def _channel(engine: Any, name: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return channels.channel_by_name(conn, name)


def test_message(lang: str) -> Message:
    return Message("test", translate("notify.test.title", lang), (translate("notify.test.line", lang),))


def send_test(engine: Any, name: str, actor: str) -> Outcome:
    """Post a test message to the channel now; the platform's answer (errcode / code) is returned."""
    ch = _channel(engine, name)
    outcome = deliver(ch, platforms.render(ch["kind"], test_message(ch["language"])))
    sendlog.record_audit(
        engine, actor, "notify.test", channel=ch["name"], status=outcome.status, answer=outcome.answer
    )
    return outcome


def preview(engine: Any, rule_id: int) -> tuple[Message | None, dict[str, Any] | None]:
    """The rule's message as it would be sent now (events: the current ones, sent or not), and its body."""
    with engine.connect() as conn:
        rule = next((r for r in channels.list_rules(conn) if r["id"] == rule_id), None)
        if rule is None:
            raise NotifyError("no_rule", rule=rule_id)
        ch = next(
            c for c in channels.list_channels(conn, with_secrets=False) if c["id"] == rule["channel_id"]
        )
    today = clock.today()
    if rule["message"] in EVENTS:
        events = SOURCES[rule["message"]](engine, today, rule["audience"], ch["language"])
        if not events:
            return None, None
        message = fold(engine, rule["message"], events, today, rule["audience"], ch["language"])
    else:
        message = build_scheduled(engine, rule, today, ch["language"])
    return message, platforms.render(ch["kind"], message)


def send_again(engine: Any, send_id: int, actor: str) -> Outcome:
    """Send a failed, deferred or crash-stranded message again, once (a second click finds it taken)."""
    row = sendlog.get(engine, send_id)
    if row is None or row["body"] is None:
        raise NotifyError("no_send", id=send_id)
    if row["status"] == "sending" and clock.now() - row["updated_at"] < STALE_SENDING:
        raise NotifyError("in_flight", id=send_id)
    if not sendlog.take(engine, send_id, ("failed", "deferred", "sending")):
        raise NotifyError("no_send", id=send_id)
    with engine.connect() as conn:
        ch = next(c for c in channels.list_channels(conn, with_secrets=True) if c["id"] == row["channel_id"])
    outcome = deliver(ch, json.loads(row["body"]))
    sendlog.mark(engine, send_id, outcome.status, outcome.attempts, outcome.answer, actor)
    return outcome
