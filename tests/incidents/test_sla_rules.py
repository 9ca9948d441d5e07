"""SLA limits that cannot surprise: every default response limit fits inside the resolve limit of the same
category and severity; the SLA settings refuse a resolve limit shorter than its response limit (nothing
stored); migration defs_1 fixes the first seeded defaults only where no admin has changed them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from lib import incidents as inc
from lib.core.models import IncidentCategory, IncidentSla
from lib.core.schema import alembic_config, upgrade


def sla_rows(engine, in_force: bool = True) -> dict[tuple[str | None, str], tuple]:
    """{(category or None, severity): (respond, resolve, meeting)} as stored: the table in force (or every
    row, where the schema is older than SLA versions)."""
    s, c = IncidentSla.__table__, IncidentCategory.__table__
    stmt = sa.select(
        c.c.name, s.c.severity, s.c.respond_minutes, s.c.resolve_minutes, s.c.meeting_minutes
    ).select_from(s.outerjoin(c, c.c.id == s.c.category_id))
    if in_force:
        stmt = stmt.where(s.c.valid_to.is_(None))
    with engine.connect() as conn:
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(stmt)}


def test_default_response_limits_fit_inside_the_resolve_limits(engine):
    rows = sla_rows(engine)
    for key, (respond, resolve, _meeting) in rows.items():
        assert respond <= resolve, (key, respond, resolve)
    # SPEC: resolve within 5 (simple) / 10 (complex) minutes, respond within 2 / 5
    assert rows[(None, "simple")] == (2, 5, None)
    assert rows[(None, "complex")] == (5, 10, None)
    assert rows[(None, "major")] == (5, 10, 30)
    # negative comments are guided within 3 minutes: the response comes no later
    assert rows[("负面评论/舆情", "simple")] == (2, 3, None)
    assert rows[("负面评论/舆情", "complex")] == (3, 3, None)
    with engine.connect() as conn:
        assert inc.sla_for(conn, "价格异常", "complex") == inc.Sla(5, 30, None)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh", "第 1 行（* / simple）：解决时限 4 分钟短于响应时限 6 分钟"),
        (
            "en",
            "Row 1 (* / simple): the resolve limit, 4 minutes, is shorter than the response limit, 6 minutes",
        ),
    ],
)
def test_settings_refuse_a_resolve_limit_shorter_than_its_response_limit(engine, lang, message):
    before = sla_rows(engine)
    rows = inc.sla_table(engine).to_dict("records")
    first = next(
        i for i, r in enumerate(rows) if not isinstance(r["category"], str) and r["severity"] == "simple"
    )
    rows.insert(0, {**rows.pop(first), "respond_minutes": 6, "resolve_minutes": 4})
    with pytest.raises(inc.IncidentError) as caught:
        inc.save_slas(engine, rows, "t_admin")
    assert caught.value.code == "resolve_before_respond"
    assert inc.present.error_text(caught.value, lang).startswith(message)
    assert sla_rows(engine) == before  # nothing stored
    rows[0] = {**rows[0], "respond_minutes": 4}  # equal limits are allowed
    inc.save_slas(engine, rows, "t_admin")
    assert sla_rows(engine)[(None, "simple")] == (4, 4, None)


# The SLA table as the first seed wrote it: 10 minutes to respond everywhere.
FIRST_SEED = {
    (None, "simple"): (10, 5, None),
    (None, "complex"): (10, 10, None),
    (None, "major"): (10, 10, 30),
    **{(c, "simple"): (10, r, None) for c, r in (("负面评论/舆情", 3), ("价格异常", 30))},
    **{(c, "complex"): (10, r, None) for c, r in (("负面评论/舆情", 3), ("价格异常", 30))},
    **{(c, "major"): (10, r, 30) for c, r in (("负面评论/舆情", 3), ("价格异常", 30))},
}


# The table as it was at 0004 (the model's later columns do not exist there).
FIRST_TABLE = sa.table(
    "incident_slas",
    *(
        sa.column(c)
        for c in ("category_id", "severity", "respond_minutes", "resolve_minutes", "meeting_minutes")
    ),
)


def test_migration_fixes_only_the_untouched_first_defaults(engine):
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    ids = {c["name"]: c["id"] for c in inc.categories(engine, active_only=False)}
    seeded = dict(FIRST_SEED)
    seeded[("价格异常", "simple")] = (8, 30, None)  # an admin's own choice
    seeded[(None, "complex")] = (10, 15, None)  # changed by an admin: not the seed's row any more
    with engine.begin() as conn:
        conn.execute(sa.delete(IncidentSla))
        for (cat, sev), (respond, resolve, meeting) in seeded.items():
            conn.execute(
                sa.insert(FIRST_TABLE).values(
                    category_id=ids.get(cat),
                    severity=sev,
                    respond_minutes=respond,
                    resolve_minutes=resolve,
                    meeting_minutes=meeting,
                )
            )
    upgrade(engine)
    rows = sla_rows(engine)
    assert rows[(None, "simple")] == (2, 5, None)
    assert rows[(None, "major")] == (5, 10, 30)
    assert rows[("负面评论/舆情", "complex")] == (3, 3, None)
    assert rows[("价格异常", "major")] == (5, 30, 30)
    assert rows[("价格异常", "simple")] == (8, 30, None)  # edited rows stay as the admin left them
    assert rows[(None, "complex")] == (10, 15, None)
    with engine.begin() as conn:  # and back: the downgrade restores the first seed's rows
        command.downgrade(alembic_config(conn), "0004")
    assert sla_rows(engine, in_force=False) == seeded
    upgrade(engine)
