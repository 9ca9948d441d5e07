"""Fixtures of the notify tests: a local robot receiver, short retry waits, a fixed team clock."""

from __future__ import annotations

import pytest

from tests.notify import receiver as rcv

SECRETS = {"dingtalk": "SECtest-dingtalk-secret-0001", "feishu": "feishu-secret-0002"}


@pytest.fixture
def robot(monkeypatch):
    monkeypatch.setenv("LIVEOPS_NOTIFY_BACKOFF", "0.01")
    rx, server = rcv.start(SECRETS)
    yield rx
    server.shutdown()
    server.server_close()
