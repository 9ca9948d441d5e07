"""Demo data: closed rounds of past months, answered by most of each department's roster."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable

from sqlalchemy import Engine, func, insert, select, update

from lib.core.db import write
from lib.core.models import Person, SurveyRating, SurveyRound, SurveySubmission
from lib.surveys.model import DEFAULT_QUESTIONS
from lib.surveys.queries import departments
from lib.surveys.rounds import create_round

DEMO_COMMENTS = (
    "希望需求变更能提前一天同步，临时改脚本太赶。",
    "直播前的设备检查清单很有用，建议固定下来。",
    "商品信息表经常最后一刻才定稿，影响主播准备。",
    "客服和场控的交接可以再清楚一点，谁回复哪类问题。",
    "技术支持响应很快，点赞。",
    "复盘会能不能控制在 30 分钟内。",
)


def load_demo_rounds(engine: Engine, periods: Iterable[str], seed: int = 42, actor: str = "demo") -> int:
    """Demo data only: a closed round per period, answered by about 85% of each department's active
    roster people. Demo people have no logins, so the answers are written without participation rows;
    a round's `eligible` counts roster people. Returns the number of answers written."""
    rng = random.Random(seed)
    names = departments(engine)
    with engine.connect() as conn:
        sizes = dict(
            conn.execute(
                select(Person.department_id, func.count())
                .where(Person.active.is_(True), Person.department_id.is_not(None))
                .group_by(Person.department_id)
            ).all()
        )
    mood = {d: rng.uniform(3.7, 4.5) for d in names}
    written = 0
    for step, period in enumerate(periods):
        round_id = create_round(engine, f"{period} 跨部门协作满意度", period, actor)
        subs, rats = [], []
        for dept, size in sizes.items():
            for _ in range(size):
                if rng.random() > 0.85:
                    continue
                sid = str(uuid.uuid4())
                comment = rng.choice(DEMO_COMMENTS) if rng.random() < 0.4 else None
                subs.append({"id": sid, "round_id": round_id, "from_department_id": dept, "comment": comment})
                for other in names:
                    if other != dept:
                        for q in DEFAULT_QUESTIONS:
                            score = min(5, max(1, round(rng.gauss(mood[other] + 0.08 * step, 0.6))))
                            rats.append(
                                {
                                    "submission_id": sid,
                                    "to_department_id": other,
                                    "question": q["key"],
                                    "score": score,
                                }
                            )
        with write(engine) as conn:
            conn.execute(
                update(SurveyRound)
                .where(SurveyRound.id == round_id)
                .values(status="closed", eligible=json.dumps({str(d): int(n) for d, n in sizes.items()}))
            )
            if subs:
                conn.execute(insert(SurveySubmission), subs)
                conn.execute(insert(SurveyRating), rats)
        written += len(subs)
    return written
