"""Random Douyin exports for the roll-up tests: a few hosts and accounts, sessions on a few days, any
column blank or not, so every measure meets NULLs, zeros, long sessions and re-imports with new values."""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from hypothesis import strategies as st

HEADER = (
    "主播昵称,主播抖音号,直播开始时间,直播结束时间,直播时长(分钟),直播间曝光人数,直播间观看人数,直播间观看次数,"
    "最高在线人数,平均在线人数,人均观看时长(分钟),评论次数,新增粉丝数,取关粉丝数,直播间商品曝光人数,"
    "直播间商品点击人数,直播间成交订单数,直播间成交金额,直播间成交人数,直播间退款金额,观看-成交率(人数)"
)
HOSTS = ("林晓雨", "陈子墨", "路人甲")  # two on the sample roster, one not
ACCOUNTS = ("xyjd2021", "jjhw888", "other01")
FIRST_DAY = dt.date(2026, 11, 2)

maybe_int = st.one_of(st.just(""), st.integers(0, 50_000).map(str))


@st.composite
def session_row(draw, first_day: dt.date = FIRST_DAY, days: int = 5) -> str:
    """One export row on one of `days` days from `first_day`."""
    day = first_day + dt.timedelta(days=draw(st.integers(0, days - 1)))
    start = dt.datetime.combine(
        day, dt.time(draw(st.sampled_from((9, 20, 23))), draw(st.sampled_from((0, 30))))
    )
    minutes = draw(st.integers(1, 420))
    end = start + dt.timedelta(minutes=minutes)
    viewers = draw(st.integers(1, 20_000))
    values = [
        draw(st.sampled_from(HOSTS)),
        draw(st.sampled_from(ACCOUNTS)),
        start.strftime("%Y/%m/%d %H:%M:%S"),
        end.strftime("%Y/%m/%d %H:%M:%S"),
        draw(st.one_of(st.just(""), st.just(str(minutes)))),
        draw(maybe_int),
        str(viewers),
        draw(maybe_int),
        draw(maybe_int),
        draw(maybe_int),
        draw(st.one_of(st.just(""), st.decimals(0, 30, places=2).map(str))),
        draw(maybe_int),
        draw(maybe_int),
        draw(maybe_int),
        draw(maybe_int),
        draw(maybe_int),
        draw(maybe_int),
        draw(st.one_of(st.just(""), st.decimals(0, 500_000, places=2).map(str))),
        draw(st.one_of(st.just(""), st.integers(0, viewers).map(str))),
        draw(st.one_of(st.just(""), st.decimals(0, 9_000, places=2).map(str))),
        "",
    ]
    return ",".join(values)


def csv_file(rows: list[str]) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode("utf-8")


ROSTER = "tests/samples/roster.csv"


def keyed_rows(engine: sa.Engine, query: sa.Select) -> list[dict]:
    """A query's rows as dicts, sorted by their group keys (the columns named k_*): two readers compared."""
    with engine.connect() as conn:
        result = conn.execute(query)
        keys = list(result.keys())
        rows = [dict(zip(keys, r, strict=True)) for r in result.all()]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys if k.startswith("k_")))


def same_value(a: object, b: object) -> bool:
    """Equal as a figure: None and NaN alike, group keys as text, numbers to 1e-9."""
    a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
    b = None if b is None or (isinstance(b, float) and math.isnan(b)) else b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str | dt.date) or isinstance(b, str | dt.date):
        return str(a) == str(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def load_rows(engine: sa.Engine, data: list[str], name: str):
    """The roster and `data` (rows of an export named `name`) imported into an emptied database; its
    roster (lib.kpis.Roster)."""
    from lib import importing
    from lib.kpis import load_roster
    from tests.conftest import wipe

    wipe(engine)
    with open(ROSTER, "rb") as fh:
        importing.import_bytes(engine, fh.read(), "roster.csv", None)
    importing.import_bytes(engine, csv_file(data), name, None)
    return load_roster(engine)


def assert_rollup_sums_equal_raw(
    engine: sa.Engine, data: list[str], name: str, flt, by, keys, extras
) -> None:
    """The roster and `data` imported into an empty database, then the roll-up reader's sums for this
    question equal the KPI sums over the raw sessions, row by row and label by label."""
    from lib import rollups
    from lib.kpis import sums_query

    roster = load_rows(engine, data, name)
    metric_keys = tuple(keys) if keys is not None else None
    raw = keyed_rows(engine, sums_query(flt, by, roster, metric_keys=metric_keys, extras=extras))
    rolled = keyed_rows(engine, rollups.sums_query(flt, by, roster, metric_keys=metric_keys, extras=extras))
    assert len(raw) == len(rolled)
    for r, o in zip(raw, rolled, strict=True):
        assert list(r) == list(o)  # the same labels in the same order
        bad = {k: (r[k], o[k]) for k in r if not same_value(r[k], o[k])}
        assert not bad, bad
