"""Export layouts: canonical fields per kind, header synonyms, platform presets and saved profiles.

A file's kind and profile are detected from its header row (searched among the first rows, below any
title rows). A preset applies when one of its signature headers is present (e.g. 主播抖音号 for Douyin
Compass); a saved profile (table export_profiles, made by an admin on the upload page) applies when all
the headers it maps are present. A file that matches none is not guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from lib.core.platforms import PLATFORM_NAMES, PLATFORMS  # noqa: F401 (re-exported to the importer)
from lib.importing.detail_fields import (
    DETAIL_FIELDS,
    DETAIL_KINDS,
    DETAIL_PRESETS,
    DETAIL_REQUIRED,
    DETAIL_SYNONYMS,
)
from lib.importing.layouts import LAYOUTS, layout_spellings

KINDS = ("sessions", "roster", "incidents", "manual_metrics", *DETAIL_KINDS)

# field -> value type (see validate.PARSERS)
FIELDS: dict[str, dict[str, str]] = {
    "sessions": {
        "platform": "platform",
        "external_id": "text",
        "account": "text",
        "host_name": "text",
        "room": "text",
        "title": "text",
        "started_at": "datetime",
        "ended_at": "datetime",
        "duration_minutes": "duration_min",
        "exposure": "count",
        "viewers": "count",
        "views": "count",
        "peak_online": "count",
        "avg_online": "count_round",
        "avg_watch_seconds": "duration_s",
        "new_followers": "count",
        "comments": "count",
        "likes": "count",
        "shares": "count",
        "questions": "count",
        "questions_replied": "count",
        "product_exposure": "count",
        "product_clicks": "count",
        "orders": "count",
        "buyers": "count",
        "gmv": "money",
        "refund_amount": "money",
        "retention_rate": "ratio",
    },
    "roster": {
        "name": "text",
        "position": "text",
        "department": "text",
        "team": "text",
        "hired_on": "date",
        "phone": "phone",
        "chat_user_id": "text",
    },
    "incidents": {
        "platform": "platform",
        "session_ref": "text",
        "room": "text",
        "host_name": "text",
        "category": "text",
        "severity": "severity",
        "owner_department": "text",
        "handler": "text",
        "detected_at": "datetime",
        "responded_at": "datetime",
        "resolved_at": "datetime",
        "meeting_at": "datetime",
        "escalated": "bool",
        "overtime_reason": "text",
        "description": "text",
    },
    "manual_metrics": {"month": "month", "name": "text", "metric": "text", "value": "metric_value"},
    **DETAIL_FIELDS,
}

# Header synonyms, normalised (see `normalise_header`); a header's trailing "(unit)" is tried with and
# without. Spellings of Douyin Compass, Kuaishou, Taobao Live and common third-party tools.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sessions": {
        "platform": ("平台", "直播平台", "渠道", "platform"),
        "external_id": (
            "直播场次",
            "直播场次id",
            "场次id",
            "直播id",
            "场次编号",
            "直播间场次id",
            "liveid",
            "sessionid",
        ),
        "account": (
            "主播抖音号",
            "抖音号",
            "快手号",
            "快手id",
            "主播快手号",
            "账号",
            "账号id",
            "主播账号",
            "直播账号",
            "淘宝账号",
            "京东账号",
            "达人账号",
            "达人id",
            "account",
        ),
        "host_name": ("主播昵称", "主播", "主播名称", "主播姓名", "达人昵称", "主播名", "host"),
        "room": ("直播间", "直播间名称", "直播间名", "店铺名称", "店铺", "room"),
        "title": ("直播间标题", "直播标题", "标题", "直播主题", "title"),
        "started_at": ("直播开始时间", "开播时间", "开始时间", "直播时间", "开播日期时间", "start"),
        "ended_at": ("直播结束时间", "下播时间", "结束时间", "关播时间", "end"),
        "duration_minutes": ("直播时长", "开播时长", "时长", "duration"),
        "exposure": ("直播间曝光人数", "曝光人数", "直播间曝光次数"),
        "viewers": ("直播间观看人数", "观看人数", "累计观看人数", "场观", "观看人数uv", "场观人数", "uv"),
        "views": ("直播间观看次数", "观看次数", "累计观看次数", "观看次数pv", "pv"),
        "peak_online": ("最高在线人数", "最高在线", "峰值在线人数", "在线人数峰值", "最高同时在线"),
        "avg_online": ("平均在线人数", "平均在线"),
        "avg_watch_seconds": ("人均观看时长", "平均观看时长", "人均停留时长", "平均停留时长", "人均看播时长"),
        "new_followers": (
            "新增粉丝数",
            "新增粉丝",
            "涨粉数",
            "涨粉人数",
            "新增关注",
            "新增关注数",
            "直播间新增粉丝数",
        ),
        "comments": ("评论次数", "评论数", "评论条数"),
        "likes": ("点赞数", "点赞次数", "点赞量"),
        "shares": ("分享数", "分享次数"),
        "questions": ("提问数", "咨询数", "问题数"),
        "questions_replied": ("回复数", "已回复提问数", "问题回复数"),
        "product_exposure": ("直播间商品曝光人数", "商品曝光人数", "商品曝光次数"),
        "product_clicks": ("直播间商品点击人数", "商品点击人数", "商品点击次数", "商品点击数"),
        "orders": ("直播间成交订单数", "成交订单数", "订单数", "成交笔数", "支付订单数", "成交单数"),
        "buyers": ("直播间成交人数", "成交人数", "下单人数", "支付人数", "成交买家数", "购买人数"),
        "gmv": (
            "直播间成交金额",
            "成交金额",
            "支付金额",
            "销售额",
            "gmv",
            "成交额",
            "直播间用户支付金额",
            "总成交金额",
        ),
        "refund_amount": ("直播间退款金额", "退款金额"),
        "retention_rate": ("留存率", "观众留存率", "直播间留存率"),
    },
    "roster": {
        "name": ("姓名", "名字", "员工姓名", "name"),
        "position": ("岗位", "职位", "position"),
        "department": ("部门", "所属部门", "department"),
        "team": ("小组", "组别", "团队", "team"),
        "hired_on": ("入职日期", "入职时间", "hired"),
        "phone": ("手机号", "手机", "电话", "联系电话", "phone"),
        # the person's user id on the team's chat platform, for @-mentions in group notices (lib.notify)
        "chat_user_id": (
            "企业微信id",
            "企微id",
            "钉钉id",
            "飞书id",
            "userid",
            "user_id",
            "open_id",
            "chat user id",
        ),
    },
    "incidents": {
        "platform": ("平台",),
        "session_ref": ("直播场次", "场次id", "直播id", "直播场次id"),
        "room": ("直播间", "直播间名称", "账号"),
        "host_name": ("主播", "主播昵称"),
        "category": ("问题类型", "问题分类", "故障类型", "类别"),
        "severity": ("严重程度", "等级", "问题等级"),
        "owner_department": ("责任部门", "负责部门", "处理部门"),
        "handler": ("处理人", "负责人"),
        "detected_at": ("发现时间", "发生时间"),
        "responded_at": ("响应时间",),
        "resolved_at": ("解决时间", "处理完成时间"),
        "meeting_at": ("会议时间", "临时会议时间"),
        "escalated": ("是否升级", "升级"),
        "overtime_reason": ("超时原因",),
        "description": ("问题描述", "描述", "备注"),
    },
    "manual_metrics": {
        "month": ("月份", "月度", "month"),
        "name": ("姓名", "name"),
        "metric": ("指标", "指标名称", "metric"),
        "value": ("数值", "值", "value"),
    },
    **DETAIL_SYNONYMS,
}
for _field, _spellings in layout_spellings().items():  # what each platform layout writes beyond these
    SYNONYMS["sessions"][_field] += _spellings

# Fields a kind cannot do without; alternatives in a tuple (one of them is enough).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "sessions": (("started_at",), ("account", "host_name"), ("ended_at", "duration_minutes")),
    "roster": (("name",),),
    "incidents": (("category",), ("severity",), ("detected_at",), ("room", "host_name")),
    "manual_metrics": (("month",), ("name",), ("metric",), ("value",)),
    **DETAIL_REQUIRED,
}


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str
    platform: str | None = None
    signature: tuple[str, ...] = ()  # presets: any of these headers identifies the layout
    signature_fields: tuple[str, ...] = ()  # presets: all of these fields must be recognised
    mapping: dict[str, str] | None = field(default=None, hash=False)  # saved: header -> field
    saved: bool = False


PRESETS: tuple[Profile, ...] = (
    # Session detail first: they apply only with their own signature fields (商品ID, 流量来源, 时间 +
    # 在线人数), and a product or source list also maps some session-list columns.
    *(Profile(name, kind, signature_fields=sig) for name, kind, sig in DETAIL_PRESETS),
    # The platforms' own session lists (lib/importing/layouts.py), then the generic layouts.
    *(Profile(lay.name, "sessions", lay.platform, signature=lay.signature) for lay in LAYOUTS),
    Profile("sessions_with_platform", "sessions", None, signature_fields=("platform", "started_at")),
    Profile("incidents", "incidents", signature_fields=("category", "severity", "detected_at")),
    Profile("manual_metrics", "manual_metrics", signature_fields=("month", "name", "metric", "value")),
    Profile("roster", "roster", signature_fields=("name", "position")),
    Profile("roster_departments", "roster", signature_fields=("name", "department")),
)
PRESET_BY_NAME = {p.name: p for p in PRESETS}

_PARENS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})


# Cached: detection tries every header candidate row against every profile (a trend import spent half
# its time here); both are pure functions of one cell's text.
@functools.lru_cache(maxsize=16384)
def normalise_header(header: str) -> str:
    """Lower case, no spaces, ASCII parentheses: `成交金额（元）` -> `成交金额(元)`."""
    text = str(header).strip().lstrip("\ufeff").translate(_PARENS)
    return re.sub(r"\s+", "", text).lower()


@functools.lru_cache(maxsize=16384)
def split_unit(header: str) -> tuple[str, str | None]:
    """`直播时长(分钟)` -> (`直播时长`, `分钟`); `成交金额` -> (`成交金额`, None)."""
    norm = normalise_header(header)
    match = re.fullmatch(r"(.+?)\(([^()]*)\)", norm)
    if match:
        return match.group(1), match.group(2)
    return norm, None


def _synonym_index(kind: str) -> dict[str, str]:
    return {normalise_header(s): f for f, syns in SYNONYMS[kind].items() for s in syns}


_INDEX = {kind: _synonym_index(kind) for kind in KINDS}


@dataclass
class ColumnMap:
    """Which file column feeds which canonical field, with the unit its header states."""

    fields: dict[str, tuple[int, str, str | None]]  # field -> (column index, header, unit)
    unmatched: list[str]


def map_columns(header: list[str], profile: Profile) -> ColumnMap:
    fields: dict[str, tuple[int, str, str | None]] = {}
    unmatched: list[str] = []
    if profile.saved and profile.mapping is not None:
        index = {normalise_header(h): f for h, f in profile.mapping.items() if f}
    else:
        index = _INDEX[profile.kind]
    for pos, cell in enumerate(header):
        if not cell:
            continue
        norm = normalise_header(cell)
        base, unit = split_unit(cell)
        found = index.get(norm) or index.get(base)
        if found is None or found not in FIELDS[profile.kind]:
            unmatched.append(cell)
            continue
        if found not in fields:
            fields[found] = (pos, cell, unit)
        else:
            unmatched.append(cell)
    return ColumnMap(fields, unmatched)


def applies(header: list[str], profile: Profile, cmap: ColumnMap) -> bool:
    if profile.saved:
        wanted = {normalise_header(h) for h, f in (profile.mapping or {}).items() if f}
        present = {normalise_header(h) for h in header if h}
        return bool(wanted) and wanted <= present
    if profile.signature:
        bases = {split_unit(h)[0] for h in header if h} | {normalise_header(h) for h in header if h}
        if not bases & {normalise_header(s) for s in profile.signature}:
            return False
    return all(f in cmap.fields for f in profile.signature_fields)


def missing_required(kind: str, cmap: ColumnMap, profile: Profile) -> list[str]:
    """Required fields (first of each alternative) that the mapped columns do not provide."""
    missing = []
    for alternatives in REQUIRED[kind]:
        if not any(f in cmap.fields for f in alternatives):
            missing.append(alternatives[0])
    if kind == "sessions" and profile.platform is None and "platform" not in cmap.fields:
        missing.append("platform")
    return missing


@dataclass
class Detection:
    profile: Profile | None
    header_index: int
    header: list[str]
    columns: ColumnMap | None
    missing: list[str]


def detect(
    head: list[list[Any]], profiles: list[Profile], kind: str | None = None, profile_name: str | None = None
) -> Detection:
    """Find the header row and the best matching profile (most recognised columns; saved ones first)."""
    candidates = [p for p in profiles if (kind is None or p.kind == kind)]
    if profile_name:
        candidates = [p for p in candidates if p.name == profile_name]
    best: tuple[int, int, Detection] | None = None
    known = _known_headers(candidates)
    for index, row in enumerate(head):
        header = ["" if c is None else str(c).strip().lstrip("\ufeff") for c in row]
        if sum(1 for h in header if h) < 2:
            continue
        # A row without one known header (a data row) maps no column under any profile: skip the mapping.
        blank = not any(h and (normalise_header(h) in known or split_unit(h)[0] in known) for h in header)
        if blank and best is not None and best[0] > 0:
            continue  # it would score 0
        for rank, profile in enumerate(candidates):
            if blank and (profile.saved or profile.signature_fields):
                continue  # applies() needs a mapped column
            cmap = ColumnMap({}, [h for h in header if h]) if blank else map_columns(header, profile)
            if not (applies(header, profile, cmap) or (profile_name and len(cmap.fields) >= 2)):
                continue
            score = len(cmap.fields)
            key = (score, -rank)
            if best is None or key > (best[0], best[1]):
                best = (score, -rank, Detection(profile, index, header, cmap, []))
    if best is None:
        index, header = _likely_header(head)
        return Detection(None, index, header, None, [])
    detection = best[2]
    assert detection.profile is not None and detection.columns is not None
    detection.missing = missing_required(detection.profile.kind, detection.columns, detection.profile)
    return detection


def _known_headers(profiles: list[Profile]) -> set[str]:
    """Every normalised header text that maps to a field under one of these profiles."""
    known: set[str] = set()
    for p in profiles:
        if p.saved and p.mapping is not None:
            known.update(normalise_header(h) for h, f in p.mapping.items() if f)
        else:
            known.update(_INDEX[p.kind])
    return known


def _likely_header(head: list[list[Any]]) -> tuple[int, list[str]]:
    """For an unknown layout: the first row with the most non-empty text cells."""
    best_index, best_count = 0, -1
    for index, row in enumerate(head):
        count = sum(1 for c in row if isinstance(c, str) and c.strip())
        if count > best_count:
            best_index, best_count = index, count
    header = [
        "" if c is None else str(c).strip().lstrip("\ufeff") for c in (head[best_index] if head else [])
    ]
    return best_index, header
