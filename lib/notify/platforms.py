"""Each platform's documented request: signing, the richest message type, @-mentions, and how to read
its answer. Pure functions (no network, no database): the sender posts what `request_for` returns.

- WeCom group robot: `markdown` (`<@userid>` mentions); `text` with `mentioned_mobile_list` when someone
  can be @-mentioned only by mobile (markdown has no mobile mention). The key in the URL is the secret.
- DingTalk custom robot: `markdown` with `at.atMobiles` / `at.atUserIds` and `@mobile` / `@userid` in the
  text, `actionCard` (buttons) when there is nobody to mention; signed with `timestamp` (ms) and `sign` in
  the URL: URL-encoded base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")).
- Feishu custom bot: `interactive` card (lark_md, `<at id=...></at>` mentions, link buttons); signed with
  `timestamp` (s) and `sign` in the body: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")).
- Generic webhook: one JSON object with the message's title, lines, links, mentions and figures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from lib.notify.model import Mention, Message

# Characters that chat Markdown dialects read as syntax, swapped for their full-width look-alikes: user
# text (names, titles, categories) shows as typed and never becomes a link, a mention or markup.
_INERT = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "*_[]()<>#`~|!@"} | {"\\": "＼"})
RATE_LIMIT_CODES = {"wecom": {45009}, "dingtalk": {130101, 660026}, "feishu": {9499, 11232}}


def inert(text: object) -> str:
    """User text made plain in every chat Markdown: no markup, link or mention can come from it."""
    return " ".join(str(text).translate(_INERT).replace("://", "：//").split())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: URL-encoded base64 of HMAC-SHA256, key = secret, message = "{timestamp}\\n{secret}"."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64 of HMAC-SHA256 with "{timestamp}\\n{secret}" as the key over an empty message."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Request:
    url: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """What the platform said: ok, whether it is a rate limit, and the text kept in the send log."""

    ok: bool
    rate_limited: bool
    text: str


def can_mention(kind: str, person: Mention) -> bool:
    """Whether this platform can @ the person (Feishu needs a user id; WeCom and DingTalk take a mobile)."""
    if kind == "feishu":
        return bool(person.user_id)
    if kind in ("wecom", "dingtalk"):
        return bool(person.user_id or person.mobile)
    return False


def _lines_md(message: Message) -> list[str]:
    return [f"**{inert(message.title)}**", *(f"- {inert(line)}" for line in message.lines)]


def _plain_names(kind: str, message: Message) -> list[str]:
    return [inert(p.name) for p in message.mentions if not can_mention(kind, p)]


def _wecom(message: Message) -> dict[str, Any]:
    by_mobile = [p for p in message.mentions if not p.user_id and p.mobile]
    named = _plain_names("wecom", message)
    if by_mobile:  # only the text type can @ by mobile
        text = [inert(message.title), *(inert(line) for line in message.lines)]
        text += [f"{label}: {url}" for label, url in message.links] + named
        return {
            "msgtype": "text",
            "text": {
                "content": "\n".join(text),
                "mentioned_list": [p.user_id for p in message.mentions if p.user_id],
                "mentioned_mobile_list": [p.mobile for p in by_mobile],
            },
        }
    md = _lines_md(message) + [f"[{inert(label)}]({url})" for label, url in message.links]
    ats = [f"<@{p.user_id}>" for p in message.mentions if p.user_id] + named
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(md + ([" ".join(ats)] if ats else []))}}


def _dingtalk(message: Message) -> dict[str, Any]:
    named = _plain_names("dingtalk", message)
    mobiles = [p.mobile for p in message.mentions if not p.user_id and p.mobile]
    user_ids = [p.user_id for p in message.mentions if p.user_id]
    if message.links and not (mobiles or user_ids):  # nobody to @: buttons for the links
        return {
            "msgtype": "actionCard",
            "actionCard": {
                "title": inert(message.title),
                "text": "\n\n".join(_lines_md(message) + named),
                "btnOrientation": "0",
                "btns": [{"title": inert(label), "actionURL": url} for label, url in message.links],
            },
        }
    md = _lines_md(message) + [f"[{inert(label)}]({url})" for label, url in message.links]
    ats = [f"@{m}" for m in mobiles] + [f"@{u}" for u in user_ids] + named
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": inert(message.title),
            "text": "\n\n".join(md + ([" ".join(ats)] if ats else [])),
        },
        "at": {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False},
    }


def _feishu(message: Message) -> dict[str, Any]:
    body = [f"- {inert(line)}" for line in message.lines]
    ats = [f"<at id={p.user_id}></at>" for p in message.mentions if p.user_id]
    ats += _plain_names("feishu", message)
    elements: list[dict[str, Any]] = [
        {
            "tag": "div",
            "text": {"tag": "lark_md", "content": "\n".join(body + ([" ".join(ats)] if ats else []))},
        }
    ]
    if message.links:
        buttons = [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": inert(label)},
                "url": url,
                "type": "default",
            }
            for label, url in message.links
        ]
        elements.append({"tag": "action", "actions": buttons})
    header = {"title": {"tag": "plain_text", "content": inert(message.title)}, "template": "blue"}
    return {"msg_type": "interactive", "card": {"header": header, "elements": elements}}


def _webhook(message: Message) -> dict[str, Any]:
    return {
        "kind": message.kind,
        "title": message.title,
        "lines": list(message.lines),
        "links": [{"label": label, "url": url} for label, url in message.links],
        "mentions": [{"name": p.name, "mobile": p.mobile, "user_id": p.user_id} for p in message.mentions],
        "items": message.items,
        "data": message.data,
    }


RENDERERS = {"wecom": _wecom, "dingtalk": _dingtalk, "feishu": _feishu, "webhook": _webhook}


def render(kind: str, message: Message) -> dict[str, Any]:
    """The JSON body this platform receives for the message (before signing)."""
    return RENDERERS[kind](message)


def request_for(kind: str, url: str, secret: str | None, body: dict[str, Any], epoch_ms: int) -> Request:
    """The signed request: DingTalk signs in the URL, Feishu in the body; WeCom's key is in its URL."""
    if kind == "dingtalk" and secret:
        sep = "&" if "?" in url else "?"
        return Request(f"{url}{sep}timestamp={epoch_ms}&sign={dingtalk_sign(secret, epoch_ms)}", body)
    if kind == "feishu" and secret:
        seconds = epoch_ms // 1000
        return Request(url, {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body})
    return Request(url, body)


def read_answer(kind: str, status: int, text: str) -> Answer:
    """Success, rate limit or failure from the HTTP status and the platform's code (errcode / code)."""
    kept = f"HTTP {status} {text[:500]}"
    if status == 429:
        return Answer(False, True, kept)
    if status >= 300:
        return Answer(False, False, kept)
    if kind == "webhook":
        return Answer(True, False, kept)
    try:
        parsed = json.loads(text)
    except ValueError:
        return Answer(False, False, kept)
    code = (
        parsed.get("errcode", parsed.get("code", parsed.get("StatusCode")))
        if isinstance(parsed, dict)
        else None
    )
    if code == 0:
        return Answer(True, False, kept)
    return Answer(False, code in RATE_LIMIT_CODES.get(kind, set()), kept)
