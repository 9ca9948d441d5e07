"""A local robot on 127.0.0.1 (a free port, http.server in a thread) that answers like WeCom, DingTalk,
Feishu or a plain webhook: checks each platform's signature with its own code (written from the
platforms' documented samples, not lib.notify's), answers success, an error code, a rate limit or HTTP
500 as scripted per path, and records every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "dingtalk": {"errcode": 0, "errmsg": "ok"}}
OK["feishu"] = {"code": 0, "msg": "success", "data": {}}
RATE = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "feishu": {"code": 9499, "msg": "too many request", "data": {}},
}
BAD_SIGN = {
    "dingtalk": {"errcode": 310000, "errmsg": "sign not match"},
    "feishu": {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
}
OTHER_ERROR = {
    "wecom": {"errcode": 93000, "errmsg": "invalid webhook url"},
    "dingtalk": {"errcode": 300001, "errmsg": "token is not exist"},
}
OTHER_ERROR["feishu"] = {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}


@dataclass
class Hit:
    kind: str
    path: str
    query: dict
    body: dict
    signed_ok: bool | None
    answered: str


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # kind -> secret it expects
    script: dict[str, list[str]] = field(default_factory=dict)  # kind -> answers to give, in order
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)  # set at every request

    def url(self, kind: str, token: str = "tok-0001") -> str:
        base = f"http://127.0.0.1:{self.port}"
        return {
            "wecom": f"{base}/cgi-bin/webhook/send?key={token}",
            "dingtalk": f"{base}/robot/send?access_token={token}",
            "feishu": f"{base}/open-apis/bot/v2/hook/{token}",
            "webhook": f"{base}/hook/{token}",
        }[kind]

    def delivered(self, kind: str | None = None) -> list[Hit]:
        return [h for h in self.hits if h.answered == "ok" and (kind is None or h.kind == kind)]


def _dingtalk_ok(secret: str, query: dict) -> bool:
    # The documented Python sample: quote_plus(b64encode(hmac(secret, f"{ts}\n{secret}"))); the query is
    # already URL-decoded once by parse_qs, so compare the base64 text.
    ts = query.get("timestamp", [""])[0]
    sign = query.get("sign", [""])[0]
    string_to_sign = f"{ts}\n{secret}".encode()
    expected = base64.b64encode(
        hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    )
    fresh = ts.isdigit() and abs(int(ts) - time.time() * 1000) < 3_600_000
    return fresh and hmac.compare_digest(expected.decode(), sign)


def _feishu_ok(secret: str, body: dict) -> bool:
    # The documented Go/Java sample: HmacSHA256 keyed by "{timestamp}\n{secret}" over no data, base64.
    ts = str(body.get("timestamp", ""))
    key = f"{ts}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()
    fresh = ts.isdigit() and abs(int(ts) - time.time()) < 3600
    return fresh and hmac.compare_digest(expected, str(body.get("sign", "")))


def _kind(path: str) -> str:
    if path.startswith("/cgi-bin/webhook"):
        return "wecom"
    if path.startswith("/robot/send"):
        return "dingtalk"
    if path.startswith("/open-apis/bot"):
        return "feishu"
    return "webhook"


def _handler(rx: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            parsed = urlparse(self.path)
            kind = _kind(parsed.path)
            query = parse_qs(parsed.query)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            signed_ok = None
            secret = rx.secrets.get(kind)
            if secret and kind == "dingtalk":
                signed_ok = _dingtalk_ok(secret, query)
            elif secret and kind == "feishu":
                signed_ok = _feishu_ok(secret, body)
            with rx.lock:
                queue = rx.script.get(kind) or []
                answer = queue.pop(0) if queue else "ok"
                if signed_ok is False:
                    answer = "bad_sign"
                rx.hits.append(Hit(kind, parsed.path, query, body, signed_ok, answer))
            rx.arrived.set()
            if answer == "slow":  # answers late (a sender killed meanwhile never hears it)
                time.sleep(5)
            status, payload = 200, OK.get(kind, {"ok": True})
            if answer == "500":
                status, payload = 500, {"error": "internal"}
            elif answer == "rate":
                payload = RATE.get(kind, {})
                status = 429 if kind == "webhook" else 200
            elif answer == "bad_sign":
                payload = BAD_SIGN[kind]
            elif answer == "error":
                payload = OTHER_ERROR.get(kind, {})
                status = 400 if kind == "webhook" else 200
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the sender was killed while we waited
                pass

    return Handler


def start(secrets: dict[str, str] | None = None) -> tuple[Receiver, ThreadingHTTPServer]:
    rx = Receiver(secrets=dict(secrets or {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rx))
    rx.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return rx, server
