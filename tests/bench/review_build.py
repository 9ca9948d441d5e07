"""Deterministic session-review data for tests/bench/bench_review.py, generated in chunks and bulk-loaded:
sessions with minute rows (~240 a session), products, traffic sources and incidents; trend CSVs shaped
like /work/shared/samples/session_detail/trend_*.csv for the import measure.

random.Random(42) draws every session's figures and, per chunk, the seed of the numpy generator that
draws that chunk's minute rows (vectorised: 24 million rows in pure Python would take minutes). SQLite is
filled through sqlite3 executemany, one transaction a chunk; PostgreSQL through psycopg COPY (the minute
rows in COPY's binary format straight from numpy), with the detail tables' foreign keys dropped during the
load and added back after it (adding one validates every row in one query instead of a check per row)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.core.schema import INCIDENT_CATEGORIES
from lib.review import COUNT_COLUMNS

ACCOUNTS = 36  # two sessions a day each: 72 a day, so 500 sessions are one week
CHUNK = 1000  # sessions a chunk (~240,000 minute rows)
FIRST_DAY = dt.date(2023, 1, 2)
SLOTS = ((10, 0), (19, 30))
SOURCES = ("推荐feed", "直播广场", "关注", "搜索", "短视频引流", "其他")
CATALOGUE = 3000  # products a session draws its 8-15 from
MINUTE_COLUMNS = ("session_id", "minute", *COUNT_COLUMNS, "gmv_cents")  # as stored
SESSION_COLUMNS = tuple(
    "id platform account room host_name host_person_id started_at started_on ended_at duration_minutes "
    "viewers views peak_online avg_online comments likes new_followers orders buyers gmv".split()
)
PRODUCT_COLUMNS = tuple(
    "session_id product_id name price first_on_shelf explain_count explain_seconds exposure clicks orders "
    "units gmv refund".split()
)
SOURCE_COLUMNS = ("session_id", "source", "viewers", "gmv")
INCIDENT_COLUMNS = tuple(
    "natural_key session_id platform room host_name category severity detected_at responded_at "
    "resolved_at escalated".split()
)


def account(a: int) -> str:
    return f"bench{a:02d}"


def person_id(a: int) -> int | None:
    """Two rooms in three have their host on the roster (people.id = a + 1); the rest match by name."""
    return None if a % 3 == 0 else a + 1


PEOPLE_COLUMNS = ("id", "name", "active")


def people_rows() -> list[tuple]:
    return [(a + 1, f"主播{a:02d}", True) for a in range(ACCOUNTS) if person_id(a) is not None]


@dataclass
class Chunk:
    sessions: list[tuple]
    minutes: dict[str, np.ndarray]  # MINUTE_COLUMNS -> one array each (empty without minute rows)
    products: list[tuple]
    sources: list[tuple]
    incidents: list[tuple]
    trend: dict[str, np.ndarray]  # the minute rows of the sessions stored without any (trend files)
    trend_sessions: list[tuple[int, tuple[int, dt.datetime]]]  # (id, (account index, start)) of those


def _start(k: int, rnd: random.Random) -> tuple[int, dt.datetime]:
    """Session k (0-based) in time order: day k // 72, account and slot from k % 72, a few minutes late."""
    day, slot = divmod(k, ACCOUNTS * len(SLOTS))
    a, s = divmod(slot, len(SLOTS))
    hour, minute = SLOTS[s]
    start = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=day), dt.time(hour, minute))
    return a, start + dt.timedelta(minutes=rnd.randrange(10), seconds=rnd.randrange(60))


def _minutes(lengths: list[int], peaks: list[int], prices: list[int], ids: list[int], seed: int) -> dict:
    """The minute rows of a chunk's sessions: an audience that builds up over ~20 minutes and thins out,
    people entering and leaving, interactions and orders in proportion, GMV at the session's price."""
    rng = np.random.default_rng(seed)
    n = np.asarray(lengths)
    total = int(n.sum())
    starts = np.repeat(np.cumsum(n) - n, n)
    minute = np.arange(total) - starts
    shape = np.minimum(1.0, (minute + 1) / 20) * (1.0 - 0.4 * minute / np.repeat(n, n))
    online = np.maximum(1, np.repeat(peaks, n) * shape * rng.lognormal(0, 0.12, total)).astype(np.int64)
    previous = np.concatenate(([0], online[:-1]))
    previous[np.cumsum(n) - n] = 0
    entering = np.maximum(0, (online * rng.uniform(0.15, 0.35, total)).astype(np.int64))
    leaving = np.maximum(0, entering - (online - previous))
    orders = rng.poisson(online * 0.004)
    return {
        "session_id": np.repeat(ids, n).astype(np.int64),
        "minute": minute.astype(np.int64),
        "online": online,
        "entering": entering,
        "leaving": leaving,
        "comments": rng.poisson(online * 0.05),
        "likes": rng.poisson(online * 0.3),
        "new_followers": rng.poisson(online * 0.004),
        "orders": orders,
        "gmv_cents": orders * np.repeat(prices, n) * rng.integers(90, 111, total) // 100,
    }


def _session(sid: int, a: int, start: dt.datetime, n: int, m: dict, lo: int, hi: int) -> tuple:
    """A session's totals as the platform's list would give them: sums of its minute rows (so a trend
    import reconciles); a session without minute rows gets the same figures from `m` all the same."""
    online = m["online"][lo:hi]
    gmv_cents = int(m["gmv_cents"][lo:hi].sum())
    orders, viewers = int(m["orders"][lo:hi].sum()), int(m["entering"][lo:hi].sum())
    end = start + dt.timedelta(minutes=n)
    return (
        sid,
        "douyin",
        account(a),
        f"直播间{a:02d}",
        f"主播{a:02d}",
        person_id(a),
        start,
        start.date(),
        end,
        float(n),
        viewers,
        viewers * 3 // 2,
        int(online.max()),
        int(online.mean()),
        int(m["comments"][lo:hi].sum()),
        int(m["likes"][lo:hi].sum()),
        int(m["new_followers"][lo:hi].sum()),
        orders,
        orders * 9 // 10,
        gmv_cents / 100,
    )


def _int(rnd: random.Random, lo: int, hi: int) -> int:
    """rnd.randint(lo, hi) at a fraction of its cost (1.2 million product rows draw eight each)."""
    return lo + int(rnd.random() * (hi - lo + 1))


def _products(sid: int, start: dt.datetime, n: int, gmv: float, orders: int, rnd: random.Random) -> list:
    rows = []
    picked = rnd.sample(range(CATALOGUE), _int(rnd, 8, 15))
    weights = [rnd.random() ** 2 for _ in picked]
    total_w = sum(weights)
    for p, w in zip(picked, weights, strict=True):
        share = w / total_w
        exposure = _int(rnd, 500, 20_000)
        clicks = exposure * _int(rnd, 5, 25) // 100
        p_orders = round(orders * share)
        p_gmv = round(gmv * share, 2)
        shelf = start + dt.timedelta(minutes=_int(rnd, 0, max(0, n - 31)))
        rows.append(
            (sid, f"P{p:07d}", f"商品{p:04d}", 29.9 + p % 300, shelf, _int(rnd, 0, 4), _int(rnd, 0, 900))
            + (exposure, clicks, p_orders, p_orders + p_orders // 10, p_gmv)
            + (round(p_gmv * rnd.random() * 0.08, 2),)
        )
    return rows


def _sources(sid: int, viewers: int, gmv: float, rnd: random.Random) -> list:
    weights = [rnd.random() + 0.05 for _ in SOURCES]
    total_w = sum(weights)
    return [
        (sid, s, round(viewers * w / total_w), round(gmv * w / total_w, 2))
        for s, w in zip(SOURCES, weights, strict=True)
    ]


def _incident(sid: int, a: int, start: dt.datetime, n: int, rnd: random.Random) -> tuple:
    detected = start + dt.timedelta(minutes=rnd.randrange(20, n - 5), seconds=rnd.randrange(60))
    resolved = detected + dt.timedelta(minutes=rnd.randint(1, 25))
    return (
        f"bench-{sid}",
        sid,
        "douyin",
        f"直播间{a:02d}",
        f"主播{a:02d}",
        rnd.choice(INCIDENT_CATEGORIES),
        rnd.choices(("simple", "complex", "major"), (70, 25, 5))[0],
        detected,
        detected + dt.timedelta(minutes=1),
        resolved,
        False,
    )


def chunks(sessions: int, extra: int) -> Iterator[Chunk]:
    """`sessions` sessions with every kind of detail row, then `extra` more (the week a trend import
    brings) stored with none: their minute rows come in Chunk.trend, for the trend files."""
    rnd = random.Random(42)
    total = sessions + extra
    for first in range(0, total, CHUNK):
        ks = range(first, min(total, first + CHUNK))
        starts = [_start(k, rnd) for k in ks]
        lengths = [rnd.randint(180, 300) for _ in ks]
        peaks = [rnd.randint(300, 8000) for _ in ks]
        prices = [rnd.randint(3_000, 40_000) for _ in ks]
        ids = [k + 1 for k in ks]
        m = _minutes(lengths, peaks, prices, ids, rnd.getrandbits(64))
        chunk = Chunk([], {}, [], [], [], {}, [])
        bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
        for i, k in enumerate(ks):
            (a, start), n, sid = starts[i], lengths[i], ids[i]
            row = _session(sid, a, start, n, m, bounds[i], bounds[i + 1])
            chunk.sessions.append(row)
            if k >= sessions:
                continue
            totals = dict(zip(SESSION_COLUMNS, row, strict=True))
            chunk.products += _products(sid, start, n, totals["gmv"], totals["orders"], rnd)
            chunk.sources += _sources(sid, totals["viewers"], totals["gmv"], rnd)
            if rnd.random() < 0.25:
                chunk.incidents.append(_incident(sid, a, start, n, rnd))
        keep = max(0, min(len(ids), sessions - first))  # minute rows of the stored sessions only
        stored = bounds[keep]
        chunk.minutes = {c: v[:stored] for c, v in m.items()}
        chunk.trend = {c: v[stored:] for c, v in m.items()}
        chunk.trend_sessions = list(zip(ids[keep:], starts[keep:], strict=True))
        yield chunk


# --- SQLite ----------------------------------------------------------------------------------------------


def _insert(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows) -> None:
    marks = ",".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


def _stored(rows: list[tuple]) -> Iterator[tuple]:
    """Date-times as SQLAlchemy stores them in SQLite (always with microseconds: it compares them as text)."""
    for row in rows:
        yield tuple(f"{v:%Y-%m-%d %H:%M:%S.%f}" if isinstance(v, dt.datetime) else v for v in row)


def load_sqlite(path: Path, sessions: int, extra: int, on_trend=None) -> int:
    """Fill the (migrated, empty) SQLite file; returns the minute rows written. on_trend(chunk) sees
    every chunk (the trend files of the extra sessions are written from it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # a bench build: a crash means building again
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    rows = 0
    conn.execute("BEGIN")
    _insert(conn, "people", PEOPLE_COLUMNS, people_rows())
    conn.execute("COMMIT")
    for chunk in chunks(sessions, extra):
        conn.execute("BEGIN")
        _insert(conn, "live_sessions", SESSION_COLUMNS, _stored(chunk.sessions))
        m = chunk.minutes
        _insert(
            conn,
            "session_minutes",
            MINUTE_COLUMNS,
            zip(*(m[c].tolist() for c in MINUTE_COLUMNS), strict=True),
        )
        _insert(conn, "session_products", PRODUCT_COLUMNS, _stored(chunk.products))
        _insert(conn, "session_sources", SOURCE_COLUMNS, chunk.sources)
        _insert(conn, "incidents", INCIDENT_COLUMNS, _stored(chunk.incidents))
        conn.execute("COMMIT")
        rows += len(m["minute"])
        if on_trend is not None:
            on_trend(chunk)
    conn.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    conn.close()
    return rows


# --- PostgreSQL ------------------------------------------------------------------------------------------

DETAIL_TABLES = ("session_minutes", "session_products", "session_sources")
_PG_MINUTE = np.dtype(
    [("n", ">i2")]
    + [
        (f"{part}{c}", t)
        for c, width in zip(MINUTE_COLUMNS, (8, 2, 4, 4, 4, 4, 4, 4, 4, 8), strict=True)
        for part, t in (("len_", ">i4"), ("", f">i{width}"))
    ]
)


def pg_minutes_binary(m: dict[str, np.ndarray]) -> bytes:
    """A chunk's minute rows in COPY's binary format (header, one fixed-width tuple a row, trailer)."""
    out = np.zeros(len(m["minute"]), dtype=_PG_MINUTE)
    out["n"] = len(MINUTE_COLUMNS)
    for c, width in zip(MINUTE_COLUMNS, (8, 2, 4, 4, 4, 4, 4, 4, 4, 8), strict=True):
        out[f"len_{c}"] = width
        out[c] = m[c]
    return b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + out.tobytes() + b"\xff\xff"


def _copy_rows(cur, table: str, columns: tuple[str, ...], rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load_postgresql(dsn: str, sessions: int, extra: int, on_trend=None) -> int:
    """Fill the (migrated, empty) PostgreSQL database, one transaction a chunk; returns the minute rows."""
    import psycopg

    rows = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor()
        foreign = cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            (list(DETAIL_TABLES),),
        ).fetchall()
        for table, name, _ in foreign:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        with conn.transaction():
            _copy_rows(cur, "people", PEOPLE_COLUMNS, people_rows())
        for chunk in chunks(sessions, extra):
            with conn.transaction():
                _copy_rows(cur, "live_sessions", SESSION_COLUMNS, chunk.sessions)
                with cur.copy(f"COPY session_minutes ({', '.join(MINUTE_COLUMNS)}) FROM STDIN BINARY") as cp:
                    cp.write(pg_minutes_binary(chunk.minutes))
                _copy_rows(cur, "session_products", PRODUCT_COLUMNS, chunk.products)
                _copy_rows(cur, "session_sources", SOURCE_COLUMNS, chunk.sources)
                _copy_rows(cur, "incidents", INCIDENT_COLUMNS, chunk.incidents)
            rows += len(chunk.minutes["minute"])
            if on_trend is not None:
                on_trend(chunk)
        for table, name, definition in foreign:  # validated here, in one pass a table
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in ("live_sessions", "people"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("VACUUM ANALYZE")  # what autovacuum does after a big load: statistics, visibility map
        cur.execute("CHECKPOINT")  # the load's dirty pages written now, not during the measured import
    return rows


# --- trend files -----------------------------------------------------------------------------------------


def write_trends(chunk: Chunk, directory: Path) -> int:
    """One trend CSV per session of chunk.trend_sessions, shaped like the samples: room (account) and start
    above the header, 时间 as HH:MM (rolling over past midnight), GMV in yuan. Returns the files written."""
    m = chunk.trend
    ends = np.flatnonzero(np.diff(m["session_id"], append=-1)) + 1
    lo = 0
    written = 0
    for (sid, (a, start)), hi in zip(chunk.trend_sessions, ends.tolist(), strict=True):
        zero = start.replace(second=0)
        lines = [
            f"直播间:直播间{a:02d}({account(a)})",
            f"开播时间:{start:%Y/%m/%d %H:%M:%S}",
            "",
            "时间,在线人数,进入直播间人数,离开直播间人数,评论次数,点赞次数,新增粉丝数,成交订单数,成交金额",
        ]
        values = zip(*(m[c][lo:hi].tolist() for c in MINUTE_COLUMNS[1:]), strict=True)
        for minute, *counts, cents in values:
            at = zero + dt.timedelta(minutes=minute)
            lines.append(f"{at:%H:%M}," + ",".join(map(str, counts)) + f",{cents / 100:.2f}")
        path = directory / f"trend_{account(a)}_{start:%Y%m%d_%H%M}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
        lo = hi
        written += 1
        assert sid == int(m["session_id"][hi - 1])
    return written
