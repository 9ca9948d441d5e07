"""Demo monthly self-assessments (月度自评表): a few staff members' last two months, the older ones with
their team manager's comment, so the scorecard page shows one beside the card of each demo login."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert

from lib.core.dates import month_bounds, month_of, shift_month_key
from lib.core.models import SelfAssessment

# person -> (strengths, shortfalls, next month's plan); written by the demo logins' people and two more
TEXTS = {
    "林晓雨": (
        "新品讲解节奏更稳，爆款单品讲解控制在 10 分钟内；福袋节点带动在线人数明显回升。",
        "开场 5 分钟留存偏低；有两场讲解超时，逼单话术重复。",
        "优化开场话术并设置倒计时提醒；每周复盘一场同类目头部直播间。",
    ),
    "高远": (
        "周报均在周一上午前发出；新增直播复盘看板，复盘会准备时间缩短一半。",
        "有一场快手数据导出晚于 1 小时；一份周报的退款金额口径写错后更正。",
        "每场结束后 1 小时内导出全量数据；报表发出前按核对清单自查。",
    ),
    "何佳琪": (
        "本月开播准点；负面评论 3 分钟内完成正向引导。",
        "两次福袋发放晚于脚本节点；备用网络卡未提前测试。",
        "开播前 2 小时完成设备联调并记录；按脚本节点设置提醒。",
    ),
    "陈子墨": (
        "互动率稳步提升，评论回复更及时。",
        "转化率仍低于团队平均，讲解卖点不够聚焦。",
        "与内容策划一起重写三款主推品的卖点讲解。",
    ),
}
LOGINS = {"林晓雨": "staff", "高远": "admin"}  # the demo logins (lib/demo/__init__.py DEMO_LOGINS)
COMMENTS = {  # on the older month, by the demo manager (吴昊, A组)
    "林晓雨": "开场留存是下月重点，话术改版后一起复盘。",
    "高远": "周报及时，数据导出时效需要固定到每场流程里。",
    "何佳琪": "准点开播保持得很好，福袋节点可与运营提前对齐。",
}


def add_self_assessments(conn: Connection, people: dict, today: dt.date) -> int:
    """Self-assessments of the two months before `today`'s, written on each month's last day; the older
    month commented by the demo manager on the 3rd of the month after."""
    last = shift_month_key(month_of(today), -1)
    rows = []
    for month in (shift_month_key(last, -1), last):
        _start, end = month_bounds(month)
        written = dt.datetime.combine(end, dt.time(18, 30))
        for name, (strengths, shortfalls, plan) in TEXTS.items():
            commented = month != last and name in COMMENTS
            rows.append(
                {
                    "person_id": people[name]["id"],
                    "month": month,
                    "strengths": strengths,
                    "shortfalls": shortfalls,
                    "next_plan": plan,
                    "written_by": LOGINS.get(name, name),
                    "written_at": written,
                    "manager_comment": COMMENTS[name] if commented else None,
                    "commented_by": "manager" if commented else None,
                    "commented_at": written + dt.timedelta(days=3) if commented else None,
                    "version": 2 if commented else 1,
                }
            )
    conn.execute(insert(SelfAssessment.__table__), rows)
    return len(rows)
