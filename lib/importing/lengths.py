"""The longest text each imported text field may hold: the length of the model column it is stored in
(or looked up by), read from lib.core.models so it is declared once. A longer value is refused at
preview with its row, column and limit, the same on every database (SQLite would store it whole,
PostgreSQL and MariaDB fail at commit)."""

from __future__ import annotations

from sqlalchemy import Column, String

from lib.core.models import (
    Department,
    Incident,
    LiveSession,
    ManualMetric,
    Person,
    Position,
    SessionProduct,
    SessionSource,
    Team,
)

_S = LiveSession.__table__.c
_ACCOUNT = {"account": _S.account}
# kind -> text field -> the column its value lands in (Text columns have no length: no limit)
COLUMNS: dict[str, dict[str, Column]] = {
    "sessions": {
        "external_id": _S.external_id,
        "account": _S.account,
        "host_name": _S.host_name,
        "room": _S.room,
        "title": _S.title,
    },
    "roster": {
        "name": Person.__table__.c.name,
        "position": Position.__table__.c.name_zh,
        "department": Department.__table__.c.name,
        "team": Team.__table__.c.name,
        "phone": Person.__table__.c.phone,
        "chat_user_id": Person.__table__.c.chat_user_id,
    },
    "incidents": {
        "session_ref": _S.external_id,
        "room": Incident.__table__.c.room,
        "host_name": Incident.__table__.c.host_name,
        "category": Incident.__table__.c.category,
        "owner_department": Department.__table__.c.name,
        "handler": Incident.__table__.c.handler_name,
        "overtime_reason": Incident.__table__.c.overtime_reason,
        "description": Incident.__table__.c.description,
    },
    "manual_metrics": {"name": Person.__table__.c.name, "metric": ManualMetric.__table__.c.metric},
    "session_trend": {},
    "session_products": {
        **_ACCOUNT,
        "product_id": SessionProduct.__table__.c.product_id,
        "product_name": SessionProduct.__table__.c.name,
    },
    "session_sources": {**_ACCOUNT, "source": SessionSource.__table__.c.source},
}


def text_limit(kind: str, name: str) -> int | None:
    """Characters the field's column holds (VARCHAR(n) counts characters on all three databases)."""
    column = COLUMNS.get(kind, {}).get(name)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length
