"""Demo cases for the case library: post-stream reviews in seed 004's format, linked to real demo sessions,
with action items (some overdue; the demo logins own some) owned by roster people, in every workflow status.

`add_seed_reviews` writes the first demo's three reviews directly; `add_demo_cases` goes through the
workflow. Call both inside lib/demo.py's last write transaction, after sessions and people exist:

    stats["cases"] = cases.add_seed_reviews(conn, accounts, people, now)
    stats["cases"] += cases.add_demo_cases(conn, today)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from lib.cases.model import AI, CS, CT, C, CaseInput, ItemInput
from lib.cases.workflow import insert_case, reindex
from lib.core import clock
from lib.core.db import inserted_id
from lib.core.models import LiveSession, Person

SEED_REVIEWS = (  # (title, category, highlights, shortcomings, improvements, tag)
    (
        "福利秒杀带动 UV 提升",
        "整点福利秒杀",
        "开场 10 分钟福利款秒杀，停留时长明显提升。",
        "后半场话术重复，互动下降。",
        "后半场加入问答抽奖，每 30 分钟一次福利节点。",
        "促单技巧",
    ),
    (
        "价格异常的快速处理",
        "问题处理",
        "场控 3 分钟内发现价格异常并下架，客服同步安抚。",
        "品牌方确认价格耗时较长。",
        "大促前与品牌方确认价格底线并留存书面记录。",
        "协作",
    ),
    (
        "新人主播首秀复盘",
        "主播成长",
        "开场节奏好，产品讲解清晰。",
        "对弹幕问题回复不及时。",
        "安排场控专人筛选问题并提示主播。",
        "新人培养",
    ),
)

# (host, status, author, category, tags, title, background, highlights, shortcomings, improvements,
#  [(task, owner, due in days from today; negative = overdue)])
DEMO: tuple[tuple[Any, ...], ...] = (
    (
        "林晓雨",
        "published",
        "manager",
        "促单技巧",
        ("福利节奏", "UV 提升"),
        "整点福利节奏带动 UV 提升",
        "家电焕新日专场，目标 GMV 10 万，主推空气炸锅和电饭煲。",
        "- 开场 10 分钟放出 **福利款秒杀**，在线人数比上一场翻倍\n- 每 30 分钟一次福袋，停留时长明显提升",
        "- 3 款产品讲解超时，后半场节奏拖沓\n- 评论区提问回复率不到 60%",
        "1. 优化脚本时长，每款产品设置倒计时提醒\n2. 场控专人筛选弹幕问题，提示主播回复",
        [
            ("完成主播话术培训：逼单与福利预告", "林晓雨", 7),
            ("脚本加入每款产品的讲解时长", "彭诗涵", -3),
            ("福利节点写进下周排期并通知场控", "吴昊", -2),  # the demo manager's own overdue item
        ],
    ),
    (
        "王欣然",
        "published",
        "manager",
        "问题处理",
        ("价格异常", "跨部门协作"),
        "价格异常 3 分钟内处理完毕",
        "厨房电器专场，一款炒锅因后台配置错误显示为 9.9 元。",
        "- 场控 3 分钟内发现并下架商品\n- 客服同步在评论区安抚用户，未引发负面舆情",
        "- 与品牌方确认价格底线耗时 20 分钟\n- 应急预案里没有价格异常的处理人",
        "- 大促前与品牌方书面确认价格底线\n- 应急预案补充“价格异常”责任人和 30 分钟时限",
        [("更新应急预案：价格异常处理流程", "郑思远", 14)],
    ),
    (
        "赵一鸣",
        "published",
        "manager",
        "主播成长",
        ("新人培养", "互动"),
        "新人主播首秀复盘",
        "数码新品首发，新人主播第一次独立开播。",
        "开场节奏好，产品参数讲解清晰，**转化率** 接近老主播水平。",
        "对弹幕问题回复不及时，互动率偏低。",
        "安排场控专人筛选问题并提示主播；每周一次模拟直播练习。",
        [
            ("每周模拟直播练习（4 周）", "赵一鸣", 21),
            ("整理数码类常见问题话术", "蒋梦琪", -1),
            ("对比新人首秀与老主播的转化数据", "高远", 5),  # the demo admin's
        ],
    ),
    (
        "孙佳怡",
        "submitted",
        "staff",
        "选品排期",
        ("选品", "库存"),
        "周末囤货节补货不及时",
        "淘宝直播周末囤货节，爆款纸巾库存 2000 件。",
        "爆款上架 5 分钟售罄，说明选品准确。",
        "补货需要品牌方确认，断货 25 分钟，流失明显。",
        "大促前与供应商约定追加库存和补货响应时限。",
        [("与供应商签订补货响应时限", "冯雅婷", 10)],
    ),
    (
        "陈子墨",
        "draft",
        "staff",
        "协作",
        ("跨部门协作",),
        "居家好物专场：技术与运营的配合",
        "直播中途推流卡顿两次。",
        "技术支持 5 分钟内切换备用网络。",
        "卡顿时主播不知道该说什么，冷场 2 分钟。",
        "补充卡顿时的救场话术，并在晨会上演练。",
        [],
    ),
)


def add_demo_cases(conn: Connection, today: dt.date | None = None) -> int:
    """Add the demo cases (each linked to its host's best demo session) and reindex every case's search
    text (so cases written directly by lib.demo are found too). Returns the number of cases added."""
    today = today or clock.today()
    people = dict(conn.execute(select(Person.name, Person.id)).all())
    added = 0
    for host, status, author, category, tags, title, bg, hi, lo, imp, items in DEMO:
        pid = people.get(host)
        session = conn.execute(
            select(LiveSession.id, LiveSession.started_on, LiveSession.platform)
            .where(
                (LiveSession.host_person_id == pid) | (LiveSession.host_name == host),
                LiveSession.gmv.isnot(None),
            )
            .order_by(LiveSession.gmv.desc(), LiveSession.id)
            .limit(1)
        ).first()
        if session is None:
            continue
        data = CaseInput(
            title=title,
            case_date=session.started_on,
            platform=session.platform,
            category=category,
            background=bg,
            highlights=hi,
            shortcomings=lo,
            improvements=imp,
            tags=tags,
            session_ids=(session.id,),
            action_items=tuple(
                ItemInput(task, people.get(owner), today + dt.timedelta(days=days))
                for task, owner, days in items
            ),
        )
        insert_case(conn, author, data, status=status, today=max(today, session.started_on))
        added += 1
    reindex(conn)
    return added


def add_seed_reviews(conn: Connection, accounts: list[str], people: dict, now: dt.datetime) -> int:
    """A few published post-stream reviews in seed 004's format, linked to the best demo sessions of these
    accounts (written directly, as the first demo did: add_demo_cases reindexes them). Returns the count."""
    best = conn.execute(
        select(
            LiveSession.id,
            LiveSession.platform,
            LiveSession.host_name,
            LiveSession.started_on,
            LiveSession.gmv,
        )
        .where(LiveSession.account.in_(accounts))
        .order_by(LiveSession.gmv.desc())
        .limit(3)
    ).all()
    for count, (session, texts) in enumerate(zip(best, SEED_REVIEWS, strict=False)):
        owner = people.get(session.host_name, {}).get("id")
        _insert_review(conn, session, texts, owner, now, now.date() + dt.timedelta(days=7 * (count + 1)))
    return min(len(best), len(SEED_REVIEWS))


def _insert_review(
    conn: Connection, session: Any, texts: tuple[str, ...], owner: int | None, now: dt.datetime, due: dt.date
) -> None:
    title, category, highlights, shortcomings, improvements, tag = texts
    inserted = conn.execute(
        insert(C).values(
            title=title,
            case_date=session.started_on,
            platform=session.platform,
            category=category,
            background=f"{session.host_name} 的直播（GMV ¥{session.gmv:,.2f}）。",
            highlights=highlights,
            shortcomings=shortcomings,
            improvements=improvements,
            author="manager",
            status="published",
            search_text=" ".join((title, highlights, shortcomings, improvements)).lower(),
            created_at=now,
            updated_at=now,
        )
    )
    case_id = inserted_id(inserted)
    conn.execute(insert(CS).values(case_id=case_id, session_id=session.id))
    conn.execute(insert(CT).values(case_id=case_id, tag=tag))
    conn.execute(
        insert(AI).values(
            case_id=case_id, description=improvements, owner_person_id=owner, due_on=due, status="open"
        )
    )
