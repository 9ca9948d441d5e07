"""The login cookie's token: issued and read here (no Streamlit), so any malformed, forged or expired
cookie reads as "no login" instead of an exception.

The token is a JWT signed with HS256 only (a token naming another algorithm, `none` included, is refused).
It carries the username, its expiry (Unix time, what the cookie component also reads) and when it was
issued in team time, which lib.core.auth.session_user compares with the user's last logout or reset.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 4096  # a browser cookie holds at most 4 KB; anything longer is not ours


@dataclass(frozen=True)
class LoginToken:
    username: str
    issued: dt.datetime  # team time, naive (lib.core.clock)
    expires: float  # Unix time


def encode_login_token(username: str, issued: dt.datetime, expiry_days: float, key: str) -> tuple[str, float]:
    """(signed token, expiry in Unix time) for a login at `issued` (team time) lasting `expiry_days`."""
    expires = time.time() + expiry_days * 86400
    claims = {"username": username, "exp_date": expires, "issued": issued.isoformat()}
    return jwt.encode(claims, key, algorithm=ALGORITHM), expires


def cookie_expires(expires: float) -> str:
    """The cookie's expiry as the cookie component passes it to the browser's `new Date(...)`: an ISO time
    with its UTC offset, so it names the same instant in every browser's zone (a naive server-local time
    is read as the browser's local time: a server in UTC and a browser in UTC+8 lost 8 hours)."""
    return dt.datetime.fromtimestamp(expires, tz=dt.UTC).isoformat()


def read_login_token(raw: object, key: str, at: float | None = None) -> LoginToken | None:
    """The token in a cookie value, or None unless it is well formed, signed with `key`, and not expired."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    try:
        claims = jwt.decode(raw, key, algorithms=[ALGORITHM])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None  # every PyJWT refusal (bad signature, algorithm, encoding, claims) is a subclass
    if not isinstance(claims, dict):
        return None
    username, expires, issued = claims.get("username"), claims.get("exp_date"), claims.get("issued")
    if not isinstance(username, str) or not username or not isinstance(issued, str):
        return None
    if isinstance(expires, bool) or not isinstance(expires, int | float) or not math.isfinite(expires):
        return None
    if expires <= (time.time() if at is None else at):
        return None
    try:
        issued_at = dt.datetime.fromisoformat(issued)
    except ValueError:
        return None
    if issued_at.tzinfo is not None:
        return None
    return LoginToken(username, issued_at, float(expires))
