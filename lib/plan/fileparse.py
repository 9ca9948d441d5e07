"""The cells of a schedule file (排期表): its header spellings, dates, times and lengths as teams write them."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from lib.plan.model import PlanError

# Canonical column -> the spellings seen in teams' schedules (compared without spaces, case or brackets).
HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "直播日期", "开播日期", "排期日期", "date", "day"),
    "start": ("开始时间", "开播时间", "开始", "开播", "start", "starttime", "start time"),
    "end": ("结束时间", "下播时间", "结束", "下播", "end", "endtime", "end time"),
    "minutes": ("时长", "时长分钟", "直播时长", "时长min", "duration", "minutes", "length"),
    "platform": ("平台", "直播平台", "platform"),
    "account": ("直播间", "直播间名称", "账号", "直播账号", "店铺账号", "room", "account"),
    "host_name": ("主播", "主播姓名", "主播名", "host"),
    "theme": ("主题", "直播主题", "场次主题", "theme"),
    "products": ("重点商品", "主推商品", "主推品", "商品", "products", "keyproducts"),
    "ops_owner": ("运营负责人", "运营", "运营对接人", "operationsowner", "opsowner"),
    "content_owner": ("内容负责人", "内容", "编导", "contentowner"),
    "floor_manager": ("场控", "floormanager"),
    "forecast_gmv": ("预估gmv", "预估销售额", "gmv预估", "forecastgmv"),
    "forecast_viewers": ("预估观看人数", "预估uv", "预估观看", "forecastviewers"),
}
REQUIRED = ("date", "start", "platform", "account", "host_name")
_BRACKETS = re.compile(r"[()（）\[\]【】<>《》*:：/\\\s_-]")


def normalise(header: Any) -> str:
    return _BRACKETS.sub("", str(header or "")).lower()


INDEX = {normalise(s): field for field, spellings in HEADERS.items() for s in spellings}


def column_map(header: list[Any]) -> dict[str, int]:
    """Canonical column -> position for the header cells this reader knows (first one wins)."""
    out: dict[str, int] = {}
    for pos, cell in enumerate(header):
        field = INDEX.get(normalise(cell))
        if field and field not in out:
            out[field] = pos
    return out


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+00:00(?::00)?)?", text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise PlanError("date", value=text)


def parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = str(value).strip().replace("：", ":")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text) or re.fullmatch(
        r"(\d{1,2})点(?:(\d{1,2})分?)?", text
    )
    if match and int(match.group(1)) <= 24:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour == 24 and minute == 0:
            return dt.time(0, 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise PlanError("time", value=text)


def parse_minutes(value: Any) -> str:
    """A length as written (120, 2h, 2小时, 90分钟, 2:30) in whole minutes, as text for validation."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.time):
        return str(value.hour * 60 + value.minute)
    text = str(value).strip().lower().replace("：", ":")
    hours = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:h|小时|hours?)", text)
    if hours:
        return str(float(hours.group(1)) * 60)
    mins = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:m|min|mins|minutes?|分钟|分)", text)
    if mins:
        return mins.group(1)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if clock:
        return str(int(clock.group(1)) * 60 + int(clock.group(2)))
    return text


def length_from_end(start: dt.datetime, end: dt.time) -> int:
    """Minutes from `start` to `end` on the same day, or the next day when the end is not after the start
    (a session across midnight)."""
    end_at = dt.datetime.combine(start.date(), end)
    if end_at <= start:
        end_at += dt.timedelta(days=1)
    return int((end_at - start).total_seconds() // 60)
