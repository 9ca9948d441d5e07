"""The platforms' session-list layouts: one entry per export layout a platform's back-end writes.

profiles.py reads this registry: each layout becomes a preset (it applies when one of its signature
headers is present, so its platform is known without a platform column) and adds the header spellings
it brings to the session fields' synonyms. A new layout of an existing platform is one entry here, its
name in the locale strings (`importing.profile.<name>`), a sample file with its truth and an import test
(docs/extending.md, example 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layout:
    name: str  # the preset's name (also its locale key importing.profile.<name>)
    platform: str  # lib.core.platforms key
    signature: tuple[str, ...]  # any one of these headers identifies the layout
    # field -> header spellings this layout writes that the common synonyms (profiles.SYNONYMS) lack
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)


# In detection order (on a tie of recognised columns the earlier layout wins).
LAYOUTS: tuple[Layout, ...] = (
    Layout("douyin_compass", "douyin", ("主播抖音号", "抖音号", "抖音id", "抖音昵称")),
    Layout("kuaishou_shop", "kuaishou", ("快手号", "快手id", "主播快手号", "快手昵称")),
    Layout("taobao_live", "taobao", ("直播场次", "淘宝账号", "淘宝直播id", "直播场次id")),
    Layout("jd_live", "jd", ("京东账号", "京东直播id", "京东直播间")),
    # Douyin 巨量百应 (Buyin, the affiliate back-end) 直播明细: the host as 达人, likes and shares (which
    # Compass lacks); its 千次观看成交金额 is left unread (the catalogue computes GPM from GMV and views).
    Layout(
        "douyin_buyin",
        "douyin",
        ("达人抖音号", "达人uid"),
        {
            "account": ("达人抖音号", "达人uid"),
            "views": ("累计观看人次", "观看人次"),
            "gmv": ("用户支付金额",),
        },
    ),
)


def layout_spellings() -> dict[str, tuple[str, ...]]:
    """Every layout's extra header spellings by field, in layout order."""
    out: dict[str, tuple[str, ...]] = {}
    for layout in LAYOUTS:
        for name, spellings in layout.spellings.items():
            out[name] = out.get(name, ()) + spellings
    return out
