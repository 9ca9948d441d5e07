"""The metric catalogue: one definition per metric, used by every page, the CLI and the exports.

Session metrics are computed from *sums* of a group (ratios re-divided from sums, watch time weighted by
viewers), so one function serves a single session and any group. A metric whose inputs are missing is
None ("no data"), never zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

# Columns of live_sessions that are summed per group; `*_n` companions count the rows that had a value,
# so a metric can tell "no data" from zero.
SUM_COLUMNS = (
    "gmv",
    "viewers",
    "views",
    "exposure",
    "orders",
    "buyers",
    "new_followers",
    "comments",
    "likes",
    "shares",
    "questions",
    "questions_replied",
    "product_clicks",
    "duration_minutes",
    "refund_amount",
)
# Summed per group with MAX instead of SUM (a group's peak is its highest session peak).
MAX_COLUMNS = ("peak_online",)
# Weighted sums: avg_watch_seconds × viewers and retention_rate × viewers, each with the viewers it covers.
WEIGHTED_COLUMNS = {
    "avg_watch_seconds": "viewers",
    "retention_rate": "viewers",
}

Sums = Mapping[str, float | None]


def _div(num: Any, den: Any, scale: float = 1.0) -> Any:
    if num is None or den is None:
        return None
    if isinstance(num, np.ndarray) or isinstance(den, np.ndarray):  # a column of groups: NaN is "no data"
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(den == 0, np.nan, num / den * scale)
    if den == 0:
        return None
    return num / den * scale


def _interaction(s: Sums) -> Any:
    comments, likes, shares, questions = (s.get(k) for k in ("comments", "likes", "shares", "questions"))
    # Compass exports no likes/shares: an interaction rate from comments alone would mislead.
    if likes is None or shares is None or comments is None:
        return None
    if isinstance(comments, np.ndarray):  # a column of groups: a NaN of the three stays NaN, questions add 0
        asked = 0.0 if questions is None else np.where(np.isnan(questions), 0.0, questions)
        return _div(comments + likes + shares + asked, s.get("viewers"))
    present = [p for p in (comments, likes, shares, questions) if p is not None]
    return _div(sum(present), s.get("viewers"))


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: str  # cny / people / count / pct / s / h / min / score
    better: str  # higher / lower / range
    formula_zh: str
    formula_en: str
    source: str  # session / manual / incident / survey / plan
    default_target: tuple[str, float, float | None] | None = None  # (kind, value, value_high)
    target_period: str = "session"  # session (per session) / month (per month total)
    help_zh: str = ""
    help_en: str = ""
    from_sums: Callable[[Sums], float | None] | None = field(default=None, compare=False, repr=False)
    # Columns that must all be present on a session for it to count towards this metric (a group's ratio
    # is re-divided from sums over exactly those sessions); `optional` columns are summed where present.
    inputs: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    # A growth rate (can be negative): its target is met by points above or below the target rate, never
    # by a ratio of rates (a 68.6 % growth against a 15 % target is not "457 % achieved").
    growth: bool = False

    @property
    def additive(self) -> bool:
        """A plain sum (GMV, viewers, ...): a per-session or per-month target scales with the group."""
        return len(self.inputs) == 1 and self.key == self.inputs[0] and self.key in SUM_COLUMNS

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str) -> str:
        formula = self.formula_zh if lang == "zh" else self.formula_en
        extra = self.help_zh if lang == "zh" else self.help_en
        return f"{formula}. {extra}".strip() if extra else formula


_m = Metric  # short for the catalogue below


CATALOGUE: tuple[Metric, ...] = (
    _m(
        "gmv",
        "成交金额",
        "GMV",
        "cny",
        "higher",
        "已支付订单金额之和",
        "sum of paid order amount",
        "session",
        ("at_least", 100_000, None),
        from_sums=lambda s: s.get("gmv"),
        inputs=("gmv",),
    ),
    _m(
        "gmv_mom",
        "GMV 环比增长",
        "GMV month-on-month",
        "pct",
        "higher",
        "(本月 GMV − 上月 GMV) / 上月 GMV",
        "(GMV this month − last month) / last month",
        "session",
        ("at_least", 0.15, None),
        target_period="month",
        growth=True,
    ),
    _m(
        "sessions",
        "直播场次",
        "Sessions",
        "count",
        "higher",
        "场次数",
        "number of sessions",
        "session",
        from_sums=lambda s: s.get("sessions"),
    ),
    _m(
        "viewers",
        "场观",
        "Viewers (UV)",
        "people",
        "higher",
        "单场累计观看人数 (UV)",
        "unique viewers of a session (UV)",
        "session",
        ("at_least", 5_000, None),
        from_sums=lambda s: s.get("viewers"),
        inputs=("viewers",),
    ),
    _m(
        "views",
        "观看次数",
        "Views (PV)",
        "count",
        "higher",
        "观看次数 (PV)",
        "views (PV)",
        "session",
        from_sums=lambda s: s.get("views"),
        inputs=("views",),
    ),
    _m(
        "peak_online",
        "最高在线人数",
        "Peak online",
        "people",
        "higher",
        "最高同时在线人数",
        "peak concurrent viewers",
        "session",
        from_sums=lambda s: s.get("peak_online"),
        inputs=("peak_online",),
    ),
    _m(
        "avg_watch_seconds",
        "人均观看时长",
        "Avg watch time",
        "s",
        "higher",
        "按观看人数加权的人均观看时长",
        "average watch time per viewer, weighted by viewers",
        "session",
        ("at_least", 90, None),
        from_sums=lambda s: _div(s.get("avg_watch_seconds_w"), s.get("avg_watch_seconds_v")),
        inputs=("avg_watch_seconds", "viewers"),
    ),
    _m(
        "interaction_rate",
        "互动率",
        "Interaction rate",
        "pct",
        "higher",
        "(评论 + 点赞 + 分享 + 提问) / 观看人数",
        "(comments + likes + shares + questions) / viewers",
        "session",
        ("at_least", 0.70, None),
        # Interactions per viewer, not a share of people: one viewer may comment and like many times.
        help_zh=(
            "单位：每位观众的互动次数，以百分数表示（106% = 每位观众平均互动 1.06 次）；"
            "一位观众可多次互动，所以可以超过 100%。种子文档 002 以更窄的口径定为 5%"
        ),
        help_en=(
            "unit: interactions per viewer, written as a percentage (106 % = 1.06 interactions per viewer); "
            "one viewer may interact many times, so it may exceed 100 %. Seed 002 says 5 % under a "
            "narrower definition"
        ),
        from_sums=_interaction,
        inputs=("comments", "likes", "shares", "viewers"),
        optional=("questions",),
    ),
    _m(
        "conversion_rate",
        "转化率",
        "Conversion rate",
        "pct",
        "higher",
        "成交人数 / 观看人数",
        "buyers / viewers",
        "session",
        ("at_least", 0.03, None),
        help_zh="运营岗位考核要求 ≥ 5%",
        help_en="operations scorecard asks ≥ 5 %",
        from_sums=lambda s: _div(s.get("buyers"), s.get("viewers")),
        inputs=("buyers", "viewers"),
    ),
    _m(
        "uv_value",
        "UV 价值",
        "UV value",
        "cny",
        "higher",
        "GMV / 观看人数",
        "GMV / viewers",
        "session",
        from_sums=lambda s: _div(s.get("gmv"), s.get("viewers")),
        inputs=("gmv", "viewers"),
    ),
    _m(
        "gpm",
        "GPM 千次观看成交金额",
        "GPM",
        "cny",
        "higher",
        "GMV / 观看次数 × 1000",
        "GMV / views × 1000 (Douyin Compass)",
        "session",
        from_sums=lambda s: _div(s.get("gmv"), s.get("views"), 1000),
        inputs=("gmv", "views"),
    ),
    _m(
        "avg_order_value",
        "客单价",
        "Avg order value",
        "cny",
        "higher",
        "GMV / 成交人数",
        "GMV / buyers",
        "session",
        help_zh="笔单价 = GMV / 订单数",
        help_en="per order: GMV / orders",
        from_sums=lambda s: _div(s.get("gmv"), s.get("buyers")),
        inputs=("gmv", "buyers"),
    ),
    _m(
        "orders",
        "成交订单数",
        "Orders",
        "count",
        "higher",
        "成交订单数",
        "paid orders",
        "session",
        from_sums=lambda s: s.get("orders"),
        inputs=("orders",),
    ),
    _m(
        "buyers",
        "成交人数",
        "Buyers",
        "people",
        "higher",
        "成交人数",
        "paying buyers",
        "session",
        from_sums=lambda s: s.get("buyers"),
        inputs=("buyers",),
    ),
    _m(
        "duration_hours",
        "直播时长",
        "Duration",
        "h",
        "range",
        "直播结束 − 开始",
        "session length",
        "session",
        ("between", 2, 4),
        from_sums=lambda s: _div(s.get("duration_minutes"), s.get("sessions"), 1 / 60),
        inputs=("duration_minutes",),
    ),
    _m(
        "new_followers",
        "新增粉丝",
        "New followers",
        "people",
        "higher",
        "新增关注人数",
        "followers gained",
        "session",
        ("at_least", 5_000, None),
        target_period="month",
        from_sums=lambda s: s.get("new_followers"),
        inputs=("new_followers",),
    ),
    _m(
        "retention_rate",
        "观众留存率",
        "Retention rate",
        "pct",
        "higher",
        "平台导出口径",
        "as exported by the platform",
        "session",
        ("at_least", 0.60, None),
        from_sums=lambda s: _div(s.get("retention_rate_w"), s.get("retention_rate_v")),
        inputs=("retention_rate", "viewers"),
    ),
    _m(
        "comment_reply_rate",
        "评论回复率",
        "Comment reply rate",
        "pct",
        "higher",
        "已回复 / 提问数",
        "replied / questions",
        "session",
        ("at_least", 0.80, None),
        from_sums=lambda s: _div(s.get("questions_replied"), s.get("questions")),
        inputs=("questions_replied", "questions"),
    ),
    _m(
        "share_rate",
        "分享率",
        "Share rate",
        "pct",
        "higher",
        "分享次数 / 观看人数",
        "shares / viewers",
        "session",
        ("at_least", 0.60, None),
        from_sums=lambda s: _div(s.get("shares"), s.get("viewers")),
        inputs=("shares", "viewers"),
    ),
    _m(
        "like_rate",
        "点赞率",
        "Like rate",
        "pct",
        "higher",
        "点赞次数 / 观看人数",
        "likes / viewers",
        "session",
        ("at_least", 0.70, None),
        # Likes per viewer, like the interaction rate: one viewer may like many times.
        help_zh="种子文档 000「互动质量」：点赞率目标 ≥ 70%；一位观众可多次点赞，所以可以超过 100%",
        help_en="seed 000 (interaction quality): like rate ≥ 70 %; one viewer may like many times, so it "
        "may exceed 100 %",
        from_sums=lambda s: _div(s.get("likes"), s.get("viewers")),
        inputs=("likes", "viewers"),
    ),
    _m(
        "gmv_achievement",
        "单场 GMV 达成率",
        "GMV achievement",
        "pct",
        "higher",
        "GMV / GMV 目标",
        "GMV / GMV target",
        "session",
        ("at_least", 1.0, None),
    ),
    _m(
        "schedule_accuracy",
        "排期准确率",
        "Schedule accuracy",
        "pct",
        "higher",
        "按计划开播的排期场次 / 排期场次",
        "planned sessions held as planned / planned sessions",
        "manual",
        ("at_least", 0.95, None),
        target_period="month",
        help_zh="有排期时由排期与实际场次计算：同一直播间、开播时间相差 30 分钟以内的场次视为对应场次；"
        "开播时间相差 ≤ 10 分钟、时长相差 ≤ 15 分钟且主播一致为按计划开播；取消或未开播的排期计入分母。"
        "没有排期的月份使用手工记录",
        help_en="Computed from the schedule where one exists: a held session is the planned one in the same "
        "room starting within 30 min; held as planned = start within 10 min, length within 15 min, same "
        "host; cancelled or missed planned sessions count in the denominator. Months without a schedule "
        "use the figure recorded by hand",
    ),
    _m(
        "script_on_time",
        "脚本审核及时率",
        "Script on time",
        "pct",
        "higher",
        "按时审核的脚本 / 到期脚本",
        "scripts reviewed by their due time / scripts due",
        "manual",
        ("at_least", 1.0, None),
        target_period="month",
        help_zh="有排期时计算：审核截止为开播前 2 天当日结束（初稿截止为开播前 7 天）；"
        "已取消的场次不计。没有排期的月份使用手工记录",
        help_en="Computed from the schedule where one exists: a review is due by the end of the day two "
        "days before the session (the draft seven days before); cancelled sessions do not count. Months "
        "without a schedule use the figure recorded by hand",
    ),
    _m(
        "forecast_error_gmv",
        "GMV 预估误差",
        "GMV forecast error",
        "pct",
        "lower",
        "平均 |实际 GMV − 预估 GMV| / 实际 GMV（MAPE）",
        "mean |actual GMV − forecast| / actual GMV (MAPE)",
        "plan",
        None,
        target_period="month",
        help_zh="运营负责人为排期场次填写的预估与对应实际场次比较；种子文件未给出目标",
        help_en="The operations owner's forecast for a planned session against the session held; the "
        "seeds set no target",
    ),
    _m(
        "forecast_error_viewers",
        "观看人数预估误差",
        "Viewers forecast error",
        "pct",
        "lower",
        "平均 |实际观看人数 − 预估| / 实际观看人数（MAPE）",
        "mean |actual viewers − forecast| / actual viewers (MAPE)",
        "plan",
        None,
        target_period="month",
        help_zh="运营负责人为排期场次填写的预估与对应实际场次比较；种子文件未给出目标",
        help_en="The operations owner's forecast for a planned session against the session held; the "
        "seeds set no target",
    ),
    _m(
        "training_pass_rate",
        "话术考核通过率",
        "Training pass rate",
        "pct",
        "higher",
        "每月记录",
        "recorded",
        "manual",
        ("at_least", 0.90, None),
        target_period="month",
    ),
    _m(
        "content_quality",
        "内容质量评分",
        "Content quality",
        "score",
        "higher",
        "内部评分 1–5",
        "internal rating, 1–5",
        "manual",
        ("at_least", 4, None),
        target_period="month",
    ),
    _m(
        "cs_response_seconds",
        "客服响应时长",
        "CS response time",
        "s",
        "lower",
        "每月记录",
        "recorded",
        "manual",
        ("at_most", 30, None),
        target_period="month",
    ),
    _m(
        "cs_resolution_rate",
        "问题解决率",
        "CS resolution rate",
        "pct",
        "higher",
        "每月记录",
        "recorded",
        "manual",
        ("at_least", 0.90, None),
        target_period="month",
    ),
    _m(
        "customer_satisfaction",
        "客户满意度",
        "Customer satisfaction",
        "score",
        "higher",
        "每月记录 1–5",
        "recorded, 1–5",
        "manual",
        ("at_least", 4.5, None),
        target_period="month",
    ),
    _m(
        "incident_resolve_minutes",
        "问题解决时长",
        "Incident resolve time",
        "min",
        "lower",
        "解决 − 发现",
        "resolved − detected",
        "incident",
        ("at_most", 10, None),
        target_period="month",
        help_zh="简单问题 ≤ 5 分钟，复杂问题 ≤ 10 分钟",
        help_en="≤ 5 min simple, ≤ 10 min complex",
    ),
    _m(
        "incident_response_minutes",
        "故障响应时长",
        "Incident response time",
        "min",
        "lower",
        "响应 − 发现",
        "responded − detected",
        "incident",
        ("at_most", 10, None),
        target_period="month",
    ),
    _m(
        "collab_satisfaction",
        "跨部门协作满意度",
        "Collaboration satisfaction",
        "score",
        "higher",
        "匿名问卷均分 1–5",
        "survey mean, 1–5",
        "survey",
        ("at_least", 4.5, None),
        target_period="month",
    ),
    # --- 场控 (field control), 数据分析 (data analyst) and host growth: lib/scorecards/position_facts.py ---
    _m(
        "field_start_on_time",
        "准时开播率",
        "Sessions started on time",
        "pct",
        "higher",
        "准时开播的排期场次 / 担任场控的排期场次",
        "planned sessions started on time / planned sessions run as 场控",
        "manual",
        ("at_least", 0.95, None),
        target_period="month",
        help_zh="有排期时计算：排期表“场控”为本人、未取消且已到开播时间的场次为分母；对应实际场次"
        "（同一直播间、开播相差 30 分钟以内）开播时间与计划相差 ≤ 10 分钟为准时；未开播或相差更多均不准时。"
        "目标取种子文档 004 排期准确率 ≥ 95%。没有排期的月份使用手工记录",
        help_en="Computed from the schedule where one exists: the planned sessions (not cancelled, start "
        "passed) naming the person as 场控; on time = the held session matched to it (same room, start "
        "within 30 min) started within 10 min of the planned start; not held or later is not on time. "
        "Target: seed 004's schedule accuracy ≥ 95 %. Months without a schedule use the figure recorded "
        "by hand",
    ),
    _m(
        "field_incidents_per_10",
        "场控场次问题数（每 10 场）",
        "Incidents per 10 sessions run",
        "per10",
        "lower",
        "本人场控场次关联的问题记录数 / 场次 × 10",
        "incidents logged against the sessions run as 场控 / those sessions × 10",
        "plan",
        ("at_most", 1.0, None),
        target_period="month",
        help_zh="场次 = 排期表“场控”为本人且已开播（与排期对应）的场次；问题按记录所关联的场次计。"
        "种子文件未给出目标，沿用技术支持“每 10 场问题数 ≤ 1”",
        help_en="Sessions = the held sessions matched to planned ones naming the person as 场控; incidents "
        "count by the session they are logged against. The seeds set no target: tech support's ≤ 1 per "
        "10 sessions",
    ),
    _m(
        "field_interaction_rate",
        "场控场次互动率",
        "Interaction rate of sessions run",
        "pct",
        "higher",
        "本人场控场次的 (评论 + 点赞 + 分享 + 提问) / 观看人数",
        "(comments + likes + shares + questions) / viewers of the sessions run as 场控",
        "plan",
        ("at_least", 0.70, None),
        target_period="month",
        help_zh="与互动率同一公式，按本人场控的场次（与排期对应的实际场次）汇总后再相除；目标 ≥ 70%（种子文档 000）",
        help_en="The interaction rate's formula over the sessions run as 场控 (held sessions matched to "
        "the plan), re-divided from their sums; target ≥ 70 % (seed 000)",
    ),
    _m(
        "data_on_time",
        "数据上传及时率",
        "Data uploaded on time",
        "pct",
        "higher",
        "按时完成的上传期限 / 到期的上传期限",
        "upload deadlines met / upload deadlines due",
        "import",
        ("at_least", 1.0, None),
        target_period="month",
        help_zh="每场直播两个期限（种子文档 004）：含该场数据的首个上传在结束后 1 小时内（全量数据），"
        "场次列表在该周之后的周一结束前（周报文件）。以导入批次时间对比场次结束时间，计入完成首个上传的人；"
        "种子文件未给出比率，按期限类指标取 100%",
        help_en="Two deadlines per session (seed 004): the first upload carrying its data within one hour "
        "of its end (the full export), and its row in the session list by the end of the Monday after its "
        "week (the weekly file). Import batch times against session end times, counted for whoever made "
        "that first upload; the seeds give no rate: 100 % as for other deadlines",
    ),
    _m(
        "report_accuracy",
        "报表准确率",
        "Report accuracy",
        "pct",
        "higher",
        "每月记录：无差错的报表 / 提交的报表",
        "recorded: reports without errors / reports delivered",
        "manual",
        ("at_least", 0.95, None),
        target_period="month",
        help_zh="报表差错只有读者知道，系统无法计算，由经理每月录入；种子文件未给出目标，取 95%",
        help_en="Only a report's readers know its errors, so it is entered by a manager each month; the "
        "seeds give no target: 95 %",
    ),
    _m(
        "host_growth",
        "主播成长率",
        "Host growth",
        "pct",
        "higher",
        "(本月转化率 − 入职首月转化率) / 入职首月转化率",
        "(conversion rate this month − in the month hired) / in the month hired",
        "session",
        ("at_least", 0.30, None),
        target_period="month",
        growth=True,
        help_zh="只考核入职后第二、三个月的主播（入职当月为基准月）；入职当月没有场次时无法计算（种子文档 004：新人 3 个月转化率提升 ≥ 30%）",
        help_en="Only for a host in the second or third month after the month hired (that month is the "
        "base); not computable when the host had no sessions in the month hired (seed 004: a new host's "
        "conversion up ≥ 30 % within 3 months)",
    ),
)

METRICS: dict[str, Metric] = {m.key: m for m in CATALOGUE}

# Names a manual-metrics file may use for a catalogue key (the team's own spellings).
MANUAL_ALIASES: dict[str, str] = {
    "排期准确率": "schedule_accuracy",
    "脚本审核及时率": "script_on_time",
    "脚本提前提交率": "script_on_time",
    "话术考核通过率": "training_pass_rate",
    "内容质量评分": "content_quality",
    "平均响应时长(秒)": "cs_response_seconds",
    "客服响应时长": "cs_response_seconds",
    "问题解决率": "cs_resolution_rate",
    "客户满意度": "customer_satisfaction",
    "准时开播率": "field_start_on_time",
    "报表准确率": "report_accuracy",
}


def metric(key: str) -> Metric:
    """The catalogue entry for `key`; KeyError names the unknown key."""
    try:
        return METRICS[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}") from None


def session_metrics(sums: Sums) -> dict[str, float | None]:
    """Every catalogue metric computable from a group's sums, by key (None where inputs are missing)."""
    return {m.key: m.from_sums(sums) for m in CATALOGUE if m.from_sums is not None}


SESSION_METRICS: tuple[Metric, ...] = tuple(m for m in CATALOGUE if m.from_sums is not None)


def is_sum_column(name: str) -> bool:
    """A column of a sums row (raw or rolled up): `sessions` or a metric's input, `<metric>__<input>`; any
    other column is a group key."""
    return name == "sessions" or "__" in name


def metric_column(m: Metric, sums: Mapping[str, np.ndarray], groups: int) -> list[float | None]:
    """Metric `m` of `groups` groups at once (lib.kpis frame_rows: thousands of hosts): `sums` holds each
    input as a float column, NaN where a group has no data. The same `from_sums` as one group's, its
    arithmetic done elementwise (`_div`, `_interaction` take columns); None where the scalar gives None."""
    assert m.from_sums is not None  # a session metric
    value = m.from_sums(cast(Sums, sums))
    if value is None:
        return [None] * groups
    column = np.broadcast_to(np.asarray(value, dtype="float64"), (groups,))
    return [None if v != v else v for v in column.tolist()]


def covered_sums(rows: list[Mapping[str, float | None]], m: Metric) -> dict[str, float | None]:
    """The sums metric `m` needs over the sessions that have all its inputs (reference for the SQL)."""
    covered = [r for r in rows if all(r.get(c) is not None for c in m.inputs)]
    out: dict[str, float | None] = {"sessions": len(covered) if m.inputs else len(rows)}
    for col in m.inputs + m.optional:
        values = [value for r in covered if (value := r.get(col)) is not None]
        agg: Callable[[list[float]], float] = max if col in MAX_COLUMNS else sum
        out[col] = agg(values) if values else None
        if col in WEIGHTED_COLUMNS and col in m.inputs:
            weight = WEIGHTED_COLUMNS[col]
            pairs = [(r[col], r[weight]) for r in covered]  # both present: `weight` is one of m.inputs
            out[f"{col}_w"] = (
                sum(v * w for v, w in pairs if v is not None and w is not None) if covered else None
            )
            out[f"{col}_v"] = sum(w for _, w in pairs if w is not None) if covered else None
    return out


def per_session_from_rows(rows: list[Mapping[str, float | None]]) -> dict[str, float | None]:
    """Every session metric of a group as one typical session: a total (GMV, viewers, ...) divided by the
    sessions that have it, ratios and averages re-divided from the group's sums as in metrics_from_rows."""
    out: dict[str, float | None] = {}
    for m in SESSION_METRICS:
        if m.from_sums is None:  # never: SESSION_METRICS are those with it
            continue
        sums = covered_sums(rows, m)
        value = m.from_sums(sums)
        if m.additive and value is not None:
            value = value / sums["sessions"] if sums["sessions"] else None
        out[m.key] = value
    return out


def metrics_from_rows(rows: list[Mapping[str, float | None]]) -> dict[str, float | None]:
    """Every session metric of a group of sessions given as dicts of stored columns (None = not exported).

    Each metric only counts the sessions that have all its inputs, so a platform that exports no likes
    does not dilute the interaction rate of one that does; ratios come from sums, never from averages.
    """
    return {m.key: m.from_sums(covered_sums(rows, m)) for m in SESSION_METRICS if m.from_sums is not None}
