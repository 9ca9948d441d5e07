"""Posting to a robot: the robot's rate limit first (counted in the send log, so every process and host
agrees), then the signed request, retried with backoff (tenacity) a bounded number of times on a network
error, HTTP 5xx/429, a platform error code or a rate-limit answer. The URL and secret are never logged:
errors keep only the reason."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from lib.core.db import now
from lib.notify import sendlog
from lib.notify.model import ATTEMPTS, PER_MINUTE, PER_SECOND
from lib.notify.platforms import Answer, read_answer, request_for

TIMEOUT_S = 10
BACKOFF_ENV = "LIVEOPS_NOTIFY_BACKOFF"  # seconds of the first wait (tests shorten it)


@dataclass(frozen=True)
class Outcome:
    status: str  # sent / failed / deferred
    attempts: int
    answer: str


class _NotDelivered(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.text)
        self.answer = answer


def _epoch_ms() -> int:
    # Signatures are checked against the platform's real clock, not the team's (tests move the team's).
    return int(time.time() * 1000)


def post(channel: dict[str, Any], body: dict[str, Any]) -> Answer:
    """One signed POST; the platform's answer (a network error is an answer too, without the URL)."""
    req = request_for(channel["kind"], channel["url"], channel["secret"], body, _epoch_ms())
    data = json.dumps(req.body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    http_req = urllib.request.Request(req.url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(http_req, timeout=TIMEOUT_S) as resp:  # noqa: S310 (admin-set robot URL)
            return read_answer(channel["kind"], resp.status, resp.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return read_answer(channel["kind"], exc.code, exc.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(False, False, f"network error: {type(exc).__name__}: {reason}"[:300])


def _backoff() -> float:
    try:
        return max(0.0, float(os.environ.get(BACKOFF_ENV, "1")))
    except ValueError:
        return 1.0


def over_limit(engine: Any, channel: dict[str, Any]) -> bool:
    """True when the robot has had its messages for this minute; waits out a per-second limit."""
    moment = now()
    if (
        sendlog.sent_since(engine, channel["id"], moment - dt.timedelta(seconds=60))
        >= PER_MINUTE[channel["kind"]]
    ):
        return True
    per_second = PER_SECOND.get(channel["kind"])
    if (
        per_second
        and sendlog.sent_since(engine, channel["id"], moment - dt.timedelta(seconds=1)) >= per_second
    ):
        time.sleep(1.0)
    return False


def deliver(channel: dict[str, Any], body: dict[str, Any]) -> Outcome:
    """Post with bounded retries: sent, failed, or deferred when the robot kept answering "rate limit"."""
    base = _backoff()
    retrying = Retrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=base, min=base, max=base * 8),
        retry=retry_if_exception_type(_NotDelivered),
        reraise=True,
    )
    attempts = 0
    try:
        for attempt in retrying:
            with attempt:
                attempts += 1
                answer = post(channel, body)
                if not answer.ok:
                    raise _NotDelivered(answer)
    except _NotDelivered as exc:
        return Outcome("deferred" if exc.answer.rate_limited else "failed", attempts, exc.answer.text)
    return Outcome("sent", attempts, answer.text)
