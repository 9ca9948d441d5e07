"""Signing against the platforms' documented samples and an independent HMAC (openssl), each platform's
message type and @-mention syntax, user text made inert, and how answers are read. No database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import urllib.parse

import pytest

from lib import notify
from lib.notify import Mention, Message

DOC_SECRET = "this is secret"  # DingTalk's documented sample secret
DOC_TIMESTAMP_MS = 1599360473000  # Feishu's documented sample timestamp (1599360473 s), in ms


def _openssl_hmac_b64(key: bytes, message: bytes) -> str:
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{key.hex()}", "-binary"],
        input=message,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(out).decode()


def _dingtalk_doc_sample(timestamp: str, secret: str) -> str:
    # DingTalk's documented Python 3.8 sample, step by step.
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    string_to_sign_enc = string_to_sign.encode("utf-8")
    hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


@pytest.mark.parametrize("timestamp", [DOC_TIMESTAMP_MS, 1577262236757, 1700000000123])
@pytest.mark.parametrize(
    "secret", [DOC_SECRET, "SECd7a3c2e1f0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2"]
)
def test_dingtalk_sign_matches_the_documented_sample_and_openssl(timestamp, secret):
    ours = notify.dingtalk_sign(secret, timestamp)
    assert ours == _dingtalk_doc_sample(str(timestamp), secret)
    independent = _openssl_hmac_b64(secret.encode(), f"{timestamp}\n{secret}".encode())
    assert urllib.parse.unquote_plus(ours) == independent
    assert "+" not in ours and "/" not in ours and "=" not in ours  # URL-encoded, ready for the query


@pytest.mark.parametrize("timestamp", [1599360473, 1700000000])
@pytest.mark.parametrize("secret", ["demo-secret", "SEC1234567890abcdef"])
def test_feishu_sign_matches_the_documented_sample_and_openssl(timestamp, secret):
    # Feishu's documented sample (Go/Java): HmacSHA256 keyed by "{timestamp}\n{secret}" over empty data.
    key = f"{timestamp}\n{secret}".encode()
    documented = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert notify.feishu_sign(secret, timestamp) == documented == _openssl_hmac_b64(key, b"")
    # Not DingTalk's recipe (secret as key over the string): the two differ.
    assert notify.feishu_sign(secret, timestamp) != urllib.parse.unquote_plus(
        notify.dingtalk_sign(secret, timestamp)
    )


def test_requests_are_signed_where_each_platform_reads_the_signature():
    body = {"msgtype": "text"}
    ding = notify.request_for(
        "dingtalk", "https://oapi.example/robot/send?access_token=t", "s", body, 1700000000123
    )
    query = urllib.parse.parse_qs(urllib.parse.urlparse(ding.url).query)
    assert query["timestamp"] == ["1700000000123"] and query["access_token"] == ["t"]
    assert query["sign"] == [urllib.parse.unquote_plus(notify.dingtalk_sign("s", 1700000000123))]
    fei = notify.request_for(
        "feishu", "https://open.example/hook/x", "s", {"msg_type": "interactive"}, 1700000000123
    )
    assert fei.url == "https://open.example/hook/x"
    assert fei.body["timestamp"] == "1700000000" and fei.body["sign"] == notify.feishu_sign("s", 1700000000)
    wecom = notify.request_for("wecom", "https://qyapi.example/send?key=k", None, body, 1)
    assert wecom.url == "https://qyapi.example/send?key=k" and wecom.body == body


ZHANG = Mention("张三", mobile="13800000001", user_id="zhangsan")
LI = Mention("李四", mobile="13800000002")
WANG = Mention("王五")


def _msg(*mentions: Mention) -> Message:
    return Message(
        "sla",
        "2 起故障超时",
        ("#1 网络中断 · 一鸣数码",),
        mentions,
        (("打开", "http://dash.example/incidents"),),
    )


def test_wecom_markdown_mentions_by_user_id_and_text_type_by_mobile():
    body = notify.render("wecom", _msg(ZHANG, WANG))
    assert body["msgtype"] == "markdown"
    assert "<@zhangsan>" in body["markdown"]["content"] and "王五" in body["markdown"]["content"]
    body = notify.render("wecom", _msg(ZHANG, LI, WANG))  # 李四 has only a mobile: text type
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_list"] == ["zhangsan"]
    assert body["text"]["mentioned_mobile_list"] == ["13800000002"]
    assert "王五" in body["text"]["content"]


def test_dingtalk_markdown_at_mobiles_and_action_card_without_mentions():
    body = notify.render("dingtalk", _msg(LI, ZHANG, WANG))
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atMobiles": ["13800000002"], "atUserIds": ["zhangsan"], "isAtAll": False}
    assert "@13800000002" in body["markdown"]["text"] and "@zhangsan" in body["markdown"]["text"]
    assert "王五" in body["markdown"]["text"]
    card = notify.render("dingtalk", _msg())
    assert card["msgtype"] == "actionCard"
    assert card["actionCard"]["btns"] == [{"title": "打开", "actionURL": "http://dash.example/incidents"}]


def test_feishu_interactive_card_mentions_by_user_id_only():
    body = notify.render("feishu", _msg(ZHANG, LI))
    assert body["msg_type"] == "interactive"
    text = body["card"]["elements"][0]["text"]["content"]
    assert "<at id=zhangsan></at>" in text
    assert "李四" in text and "13800000002" not in text  # Feishu cannot @ by mobile: named in plain text
    assert body["card"]["elements"][1]["actions"][0]["url"] == "http://dash.example/incidents"
    assert notify.can_mention("feishu", LI) is False and notify.can_mention("dingtalk", LI) is True


def test_user_text_cannot_become_markup_a_link_or_a_mention():
    evil = "[点我](http://evil.example) <@all> **粗** <at id=all></at> @13800000009"
    msg = Message("approval", evil, (evil,))
    for kind in ("wecom", "dingtalk", "feishu"):
        text = json.dumps(notify.render(kind, msg), ensure_ascii=False)
        for raw in ("[点我]", "(http", "http://evil", "<@all>", "<at id=all>", "**粗**", "@138"):
            assert raw not in text, (kind, raw)
        assert "点我" in text and "evil.example" in text  # still readable
    assert notify.render("webhook", msg)["title"] == evil  # JSON consumers get the text as typed


@pytest.mark.parametrize(
    ("kind", "status", "text", "ok", "rate"),
    [
        ("wecom", 200, '{"errcode":0,"errmsg":"ok"}', True, False),
        ("wecom", 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', False, True),
        ("dingtalk", 200, '{"errcode":310000,"errmsg":"sign not match"}', False, False),
        ("dingtalk", 200, '{"errcode":130101,"errmsg":"send too fast"}', False, True),
        ("feishu", 200, '{"code":0,"msg":"success"}', True, False),
        ("feishu", 200, '{"code":19021,"msg":"sign match fail"}', False, False),
        ("feishu", 200, '{"code":9499,"msg":"too many request"}', False, True),
        ("feishu", 500, "oops", False, False),
        ("webhook", 204, "", True, False),
        ("webhook", 429, "", False, True),
    ],
)
def test_answers_are_read_by_code(kind, status, text, ok, rate):
    answer = notify.read_answer(kind, status, text)
    assert (answer.ok, answer.rate_limited) == (ok, rate)
    assert answer.text.startswith(f"HTTP {status}")
