"""The incident roll-ups stay equal to a fresh GROUP BY of the raw incidents through random incident
imports (new and re-imported rows), undos, incidents logged and resolved in the form, SLA edits and
category renames, on every database; and the report's counts read from them equal those over the raw
incidents for every filter and group they serve."""

from __future__ import annotations

import datetime as dt
import importlib

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import importing, rollups
from lib import incidents as inc
from lib.core.durations import bin_columns
from lib.core.models import Department, Incident, IncidentMonthRollup, IncidentRollup
from tests.conftest import wipe

PROPERTY = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = "直播间,主播,问题类型,严重程度,责任部门,处理人,发现时间,响应时间,解决时间,超时原因"
CATEGORIES = ("违规预警", "网络中断", "负面评论/舆情", "价格异常")
SEVERITY_NAMES = {"simple": "简单", "complex": "复杂", "major": "重大"}
DEPARTMENTS = ("运营部", "技术部", "客服部")
DAY0 = dt.datetime(2026, 11, 2)
AS_OF = dt.datetime(2026, 12, 1)
# days from DAY0 on either side of a month's first day (Oct 31, Nov 1, Nov 30): the month roll-up's edges
MONTH_EDGE_DAYS = (-2, -1, 28)


@st.composite
def incident(draw) -> dict:
    day = draw(st.one_of(st.integers(0, 3), st.sampled_from(MONTH_EDGE_DAYS)))
    detected = DAY0 + dt.timedelta(days=day, minutes=draw(st.integers(0, 1439)))
    respond = draw(st.one_of(st.none(), st.integers(0, 20)))
    resolve = draw(st.one_of(st.none(), st.integers(0, 60)))
    responded = None if respond is None else detected + dt.timedelta(minutes=respond, seconds=7)
    resolved = None if resolve is None else (responded or detected) + dt.timedelta(minutes=resolve)
    return {
        "category": draw(st.sampled_from(CATEGORIES)),
        "severity": draw(st.sampled_from(tuple(SEVERITY_NAMES))),
        "department": draw(st.sampled_from(DEPARTMENTS)),
        "detected": detected,
        "responded": responded,
        "resolved": resolved,
    }


def _csv(rows: list[dict]) -> bytes:
    def t(v: dt.datetime | None) -> str:
        return "" if v is None else f"{v:%Y-%m-%d %H:%M:%S}"

    lines = [
        f"一鸣数码,林晓雨,{r['category']},{SEVERITY_NAMES[r['severity']]},{r['department']},吴昊,"
        f"{t(r['detected'])},{t(r['responded'])},{t(r['resolved'])},超时原因"
        for r in rows
    ]
    return ("\ufeff" + "\n".join([HEADER, *lines]) + "\n").encode("utf-8")


operation = st.one_of(
    st.tuples(st.just("import"), st.lists(incident(), min_size=1, max_size=5)),
    st.tuples(st.just("undo"), st.integers(0, 5)),
    st.tuples(st.just("log"), incident()),
    st.tuples(st.just("resolve"), st.integers(0, 20)),
    st.tuples(st.just("sla"), st.integers(1, 30)),
    st.tuples(st.just("rename"), st.sampled_from(CATEGORIES)),
)


def _log(engine: sa.Engine, row: dict, admin: str) -> None:
    with engine.connect() as conn:
        depts = dict(conn.execute(sa.select(Department.name, Department.id)).all())
    data = inc.IncidentInput(
        category=row["category"],
        severity=row["severity"],
        detected_at=row["detected"],
        responded_at=row["responded"],
        resolved_at=row["resolved"] if row["responded"] else None,
        owner_department_id=depts.get(row["department"]),
        overtime_reason="超时原因",
    )
    try:
        inc.create_incident(engine, data, admin, as_of=AS_OF)
    except inc.IncidentError:
        pass  # refused (e.g. an order of times the form does not take): nothing stored


def _apply(engine: sa.Engine, op: tuple, batches: list[int], admin: str) -> None:
    kind, arg = op
    if kind == "import":
        report = importing.import_bytes(engine, _csv(arg), "incidents_rollups.csv", admin)
        if report.batch_id:
            batches.append(report.batch_id)
    elif kind == "undo" and batches:
        try:
            importing.undo(engine, batches[arg % len(batches)], admin)
        except importing.UndoError:
            pass
    elif kind == "log":
        _log(engine, arg, admin)
    elif kind == "resolve":
        with engine.connect() as conn:
            open_ = conn.execute(
                sa.select(Incident.id, Incident.detected_at).where(Incident.resolved_at.is_(None))
            )
            open_ = open_.all()
        if open_:
            iid, detected = open_[arg % len(open_)]
            at = detected + dt.timedelta(minutes=arg + 1)
            try:
                inc.update_incident(
                    engine, iid, admin, responded_at=at, resolved_at=at, overtime_reason="r", as_of=AS_OF
                )
            except inc.IncidentError:
                pass
    elif kind == "sla":
        rows = inc.sla_table(engine).to_dict("records")
        for row in rows:
            if row["category"] is None and row["severity"] == "simple":
                row["resolve_minutes"] = max(float(arg), row["respond_minutes"] or 0.0)
        inc.save_slas(engine, rows, admin)
    elif kind == "rename":
        cats = inc.categories(engine, active_only=False)
        renamed = [
            {
                **c,
                "name": c["name"] + "2"
                if c["name"] == arg
                else c["name"].removesuffix("2")
                if c["name"] == arg + "2"
                else c["name"],
            }
            for c in cats
        ]
        inc.save_categories(engine, renamed, admin)


def _admin(engine: sa.Engine) -> str:
    from lib.core.auth import add_user
    from lib.core.db import write

    with write(engine) as conn:
        add_user(conn, "t_admin", "correct-horse-battery", "admin")
    return "t_admin"


@PROPERTY
@given(ops=st.lists(operation, min_size=1, max_size=5))
def test_incident_rollups_equal_a_fresh_computation_after_any_writes(engine, users, ops) -> None:
    wipe(engine)
    admin = _admin(engine)
    batches: list[int] = []
    for op in ops:
        _apply(engine, op, batches, admin)
        assert rollups.check(engine) == [], op
    with engine.connect() as conn:  # not vacuous: the roll-ups count what the table holds
        raw = conn.execute(sa.select(sa.func.count()).select_from(Incident)).scalar()
        rolled = conn.execute(sa.select(sa.func.sum(IncidentRollup.c.incidents))).scalar() or 0
        binned = sum(
            conn.execute(sa.select(sa.func.sum(IncidentRollup.c[c]))).scalar() or 0
            for c in bin_columns("resolve")
        )
        resolved = conn.execute(sa.select(sa.func.count(Incident.resolved_at))).scalar()
    assert rolled == raw
    assert binned == resolved  # every resolved incident in one resolve-time bin
    for first, last in ((0, 3), (1, 1), (2, 9)):  # the filter options equal a DISTINCT over the raw rows
        start, end = (DAY0 + dt.timedelta(days=first)).date(), (DAY0 + dt.timedelta(days=last)).date()
        assert inc.filter_options(engine, start, end) == _raw_options(engine, start, end)


def _raw_options(engine: sa.Engine, date_from: dt.date, date_to: dt.date) -> dict:
    """The report's filter options as a DISTINCT over the period's raw incidents (as before the roll-up)."""
    q = inc.IncidentQuery(inc.dialect_of(engine))
    where = q.where(inc.ReportFilter(date_from, date_to))
    out = {}
    with engine.connect() as conn:
        for key, col in (
            ("platforms", q.i.c.platform),
            ("rooms", q.i.c.room),
            ("hosts", q.i.c.host_name),
            ("categories", q.i.c.category),
            ("handlers", q.handler),
        ):
            stmt = sa.select(col).select_from(q.lean_source).where(*where, col.is_not(None)).distinct()
            out[key] = sorted(conn.execute(stmt).scalars())
        out["departments"] = [
            tuple(r) for r in conn.execute(sa.select(Department.id, Department.name).order_by(Department.id))
        ]
    return out


filters = st.builds(
    lambda start, length, cats, sevs: (start, length, tuple(cats), tuple(sevs)),
    st.one_of(st.integers(0, 3), st.sampled_from((-32, -1))),  # from Oct 1 or Nov 1: whole months
    st.one_of(st.integers(0, 3), st.sampled_from((29, 30, 60))),
    st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
    st.lists(st.sampled_from(tuple(SEVERITY_NAMES)), max_size=2, unique=True),
)


@PROPERTY
@given(
    rows=st.lists(incident(), min_size=1, max_size=12),
    flt=filters,
    by=st.sampled_from(inc.GROUP_BYS + (None,)),
    dept=st.booleans(),
)
def test_report_from_the_rollups_equals_the_raw_report(
    engine, users, monkeypatch, rows, flt, by, dept
) -> None:
    wipe(engine)
    importing.import_bytes(engine, _csv(rows), "incidents_report.csv", None)
    start, length, cats, sevs = flt
    depts = tuple(inc.filter_options(engine, dt.date(2026, 1, 1), dt.date(2027, 1, 1))["departments"][:1])
    f = inc.ReportFilter(
        (DAY0 + dt.timedelta(days=start)).date(),
        (DAY0 + dt.timedelta(days=start + length)).date(),
        categories=cats,
        severities=sevs,
        department_ids=tuple(d[0] for d in depts) if dept else (),
    )
    rollup = importlib.import_module("lib.incidents.rollup")
    assert rollup.serves(f, by) == (by != "handler")
    rolled = inc.report(engine, f, by)
    with monkeypatch.context() as patched:  # the same report over the raw incidents
        patched.setattr(rollup, "serves", lambda *_: False)
        raw = inc.report(engine, f, by)
    assert rolled == raw


def test_a_finer_filter_stays_on_the_raw_incidents() -> None:
    rollup = importlib.import_module("lib.incidents.rollup")
    day = dt.date(2026, 11, 2)
    assert rollup.serves(inc.ReportFilter(day, day), "week")
    for finer in (
        {"rooms": ("一鸣数码",)},
        {"handlers": ("吴昊",)},
        {"platforms": ("抖音",)},
        {"session_ids": (1,)},
    ):
        assert not rollup.serves(inc.ReportFilter(day, day, **finer), None)
    assert not rollup.serves(inc.ReportFilter(day, day), "handler")


def test_the_migration_fills_the_duration_histograms_from_stored_incidents(engine, users) -> None:
    from alembic import command

    from lib.core.schema import alembic_config, upgrade

    base = {"category": CATEGORIES[0], "severity": "simple", "department": DEPARTMENTS[0]}
    rows = []
    for hour, resolve in ((1, 3), (2, 45), (3, 90)):  # minutes
        detected = DAY0 + dt.timedelta(hours=hour)
        done = detected + dt.timedelta(minutes=resolve)
        rows.append({**base, "detected": detected, "responded": done, "resolved": done})
    assert importing.import_bytes(engine, _csv(rows), "incidents_migration.csv", None).batch_id
    with engine.begin() as conn:  # back to before the histograms: the incidents stay
        command.downgrade(alembic_config(conn), "rollups_3")
    inspector = sa.inspect(engine)
    assert "incident_filter_values" not in inspector.get_table_names()
    assert "resolve_s" not in {c["name"] for c in inspector.get_columns("incidents")}
    upgrade(engine)
    assert rollups.check(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(Incident.resolve_s).order_by(Incident.resolve_s)).scalars().all() == [
            180.0,
            2700.0,
            5400.0,
        ]
        binned = conn.execute(
            sa.select(
                sa.func.sum(IncidentRollup.c.resolve_b018),  # 180 s: the 10-second bin from 180 s
                sa.func.sum(IncidentRollup.c.resolve_b095),  # 2700 s: the minute from 45 minutes
                sa.func.sum(IncidentRollup.c.resolve_b110),  # 5400 s: an hour and more
            )
        ).one()
    assert tuple(binned) == (1, 1, 1)
    got = inc.report(engine, inc.ReportFilter(DAY0.date(), DAY0.date()))
    assert (got[0]["resolve_p50"], got[0]["resolve_max"]) == (45.0, 90.0)


def test_whole_months_come_from_the_month_rows_and_a_drift_there_shows(engine, users) -> None:
    month_rollup = importlib.import_module("lib.incidents.month_rollup")
    nov, dec = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    assert month_rollup.whole_months(nov, dt.date(2026, 11, 30)) == (nov, nov)
    assert month_rollup.whole_months(dt.date(2026, 10, 31), dec) == (nov, nov)
    assert month_rollup.whole_months(dt.date(2026, 11, 2), dt.date(2026, 12, 31)) == (dec, dec)
    assert month_rollup.whole_months(dt.date(2026, 11, 2), dt.date(2026, 11, 30)) is None
    assert month_rollup.whole_months(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == (dt.date(2026, 1, 1), dec)
    base = {"category": CATEGORIES[0], "severity": "simple", "department": DEPARTMENTS[0]}
    rows = []
    for day in (-2, -1, 13, 28, 29):  # Oct 31, Nov 1, Nov 15, Nov 30, Dec 1
        detected = DAY0 + dt.timedelta(days=day, hours=3)
        rows.append({**base, "detected": detected, "responded": detected, "resolved": detected})
    importing.import_bytes(engine, _csv(rows), "incidents_months.csv", None)
    flt = inc.ReportFilter(dt.date(2026, 10, 31), dec)
    assert inc.report(engine, flt)[0]["count"] == 5
    with engine.begin() as conn:  # a drift in the month rows only: the report reads them, the check sees it
        conn.execute(sa.update(IncidentMonthRollup).values(incidents=IncidentMonthRollup.c.incidents + 1))
    assert inc.report(engine, flt)[0]["count"] == 6
    assert [d["table"] for d in rollups.check(engine)] == ["incident_month_rollups"] * 3
    assert inc.report(engine, inc.ReportFilter(dt.date(2026, 11, 2), dec))[0]["count"] == 3  # day rows only
