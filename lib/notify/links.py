"""Links in messages: the dashboard's public address (`LIVEOPS_PUBLIC_URL`, else the `notify.public_url`
setting, else http://localhost:8501) plus a page and the query string the page itself reads."""

from __future__ import annotations

import os
from urllib.parse import urlencode

from sqlalchemy import Engine

from lib.core.db import get_setting

DEFAULT_PUBLIC_URL = "http://localhost:8501"
PUBLIC_URL_ENV = "LIVEOPS_PUBLIC_URL"
PUBLIC_URL_SETTING = "notify.public_url"


def public_url(engine: Engine) -> str:
    url = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if not url:
        with engine.connect() as conn:
            url = (get_setting(conn, PUBLIC_URL_SETTING) or DEFAULT_PUBLIC_URL).strip()
    return url.rstrip("/")


def page_url(base: str, page: str, query: dict[str, str] | None = None) -> str:
    return f"{base}/{page}" + (f"?{urlencode(query)}" if query else "")
