"""The session-detail kinds of export (Douyin Compass 直播详情 downloads): per-minute trend (one session
a file, its room and start in the lines above the header), product list and traffic sources (many
sessions a file, each row naming its session by account + start). lib.importing.profiles merges these
fields, synonyms, required fields and presets into its own tables."""

from __future__ import annotations

DETAIL_KINDS = ("session_trend", "session_products", "session_sources")

DETAIL_FIELDS: dict[str, dict[str, str]] = {
    "session_trend": {
        "time": "clock",  # HH:MM (rolls over past midnight) or a full date-time
        "online": "count",
        "entering": "count",
        "leaving": "count",
        "comments": "count",
        "likes": "count",
        "new_followers": "count",
        "orders": "count",
        "gmv": "money",
    },
    "session_products": {
        "account": "text",
        "started_at": "datetime",
        "product_id": "text",
        "product_name": "text",
        "price": "money",
        "first_on_shelf": "datetime",
        "explain_count": "count",
        "explain_seconds": "duration_s",
        "exposure": "count",
        "clicks": "count",
        "orders": "count",
        "units": "count",
        "gmv": "money",
        "refund": "money",
    },
    "session_sources": {
        "account": "text",
        "started_at": "datetime",
        "source": "text",
        "viewers": "count",
        "gmv": "money",
    },
}

_ACCOUNT = ("主播抖音号", "抖音号", "快手号", "主播账号", "账号", "达人账号", "account")
_START = ("直播开始时间", "开播时间", "开始时间", "start")
_GMV = ("成交金额", "直播间成交金额", "支付金额", "销售额", "成交额", "gmv")
_ORDERS = ("成交订单数", "订单数", "支付订单数", "成交单数", "orders")

DETAIL_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "session_trend": {
        "time": ("时间", "时间点", "分钟", "日期时间", "统计时间", "time", "minute"),
        "online": ("在线人数", "实时在线人数", "当前在线人数", "同时在线人数", "online"),
        "entering": ("进入直播间人数", "进场人数", "进入人数", "进房人数", "entering"),
        "leaving": ("离开直播间人数", "离场人数", "离开人数", "退房人数", "leaving"),
        "comments": ("评论次数", "评论数", "comments"),
        "likes": ("点赞次数", "点赞数", "likes"),
        "new_followers": ("新增粉丝数", "新增粉丝", "涨粉数", "新增关注数"),
        "orders": _ORDERS,
        "gmv": _GMV,
    },
    "session_products": {
        "account": _ACCOUNT,
        "started_at": _START,
        "product_id": ("商品id", "商品编号", "商品编码", "product_id"),
        "product_name": ("商品名称", "商品标题", "商品名", "product"),
        "price": ("商品价格", "价格", "售价", "price"),
        "first_on_shelf": ("首次上架时间", "上架时间", "首次讲解时间"),
        "explain_count": ("讲解次数", "讲解场次"),
        "explain_seconds": ("讲解时长", "讲解总时长"),
        "exposure": ("商品曝光人数", "曝光人数", "商品曝光次数"),
        "clicks": ("商品点击人数", "点击人数", "商品点击次数"),
        "orders": _ORDERS,
        "units": ("成交件数", "销量", "成交商品件数", "units"),
        "gmv": _GMV,
        "refund": ("退款金额", "refund"),
    },
    "session_sources": {
        "account": _ACCOUNT,
        "started_at": _START,
        "source": ("流量来源", "来源", "渠道来源", "流量渠道", "source"),
        "viewers": ("观看人数", "进入直播间人数", "场观", "viewers"),
        "gmv": _GMV,
    },
}

DETAIL_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "session_trend": (("time",), ("online",)),
    "session_products": (("account",), ("started_at",), ("product_id",)),
    "session_sources": (("account",), ("started_at",), ("source",)),
}
# Values each row must have, and the fields that identify a row within the file (no duplicates).
DETAIL_ROW_REQUIRED: dict[str, tuple[str, ...]] = {
    "session_trend": ("time",),
    "session_products": ("account", "started_at", "product_id"),
    "session_sources": ("account", "started_at", "source"),
}
DETAIL_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "session_trend": ("time",),
    "session_products": ("account", "started_at", "product_id"),
    "session_sources": ("account", "started_at", "source"),
}
# (name, kind, signature fields): a preset applies when all its signature fields are present. No
# platform: the files do not say which, so a row's session is found by account + start on any platform.
DETAIL_PRESETS = (
    ("session_trend", "session_trend", ("time", "online")),
    ("session_products", "session_products", ("account", "started_at", "product_id")),
    ("session_sources", "session_sources", ("account", "started_at", "source")),
)
