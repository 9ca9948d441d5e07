"""Import benchmark: a 100,000-row session export as CSV and as XLSX, parse+validate and commit through the
pipeline on SQLite and PostgreSQL, next to a bare baseline measured in the same run (pandas.read_csv /
read_excel + one bulk insert). Each step runs in a fresh process so its peak memory (max RSS) is its own.

    .venv/bin/python -m tests.bench.bench_import [--rows N] [--no-pg] [--no-xlsx-commit] [--no-openpyxl]

The XLSX is committed on every database and printed next to the CSV of the same rows (goal: within 2x).
The bare XLSX read is measured with pandas' calamine engine (the reader the pipeline uses) and, for
comparison with the reader before, with openpyxl (--no-openpyxl skips that ~20 s step).

Prints a markdown table. PostgreSQL: postgresql+psycopg://postgres@127.0.0.1:5432/test (LIVEOPS_BENCH_PG_URL),
in a database of its own, `liveops_bench_import`, created and dropped here.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

PG_ADMIN_URL = os.environ.get("LIVEOPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "liveops_bench_import"
HEADER = (
    "主播昵称,主播抖音号,直播开始时间,直播结束时间,直播时长(分钟),直播间曝光人数,直播间观看人数,直播间观看次数,"
    "最高在线人数,平均在线人数,人均观看时长(分钟),评论次数,新增粉丝数,取关粉丝数,直播间商品曝光人数,"
    "直播间商品点击人数,直播间成交订单数,直播间成交金额,直播间成交人数,直播间退款金额,观看-成交率(人数)"
).split(",")


def make_frame(rows: int):
    """A Douyin Compass-shaped export: 200 accounts, one session per account every 4 hours, unique keys."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    account_idx = np.arange(rows) % 200
    slot = np.arange(rows) // 200
    start = pd.Timestamp("2025-01-01 08:00") + pd.to_timedelta(slot * 4, unit="h")
    minutes = rng.integers(60, 230, rows)
    end = start + pd.to_timedelta(minutes, unit="m")
    viewers = rng.integers(500, 50_000, rows)
    buyers = (viewers * rng.uniform(0.005, 0.06, rows)).astype(int)
    gmv = np.round(buyers * rng.uniform(50, 400, rows), 2)
    refunds = np.where(rng.random(rows) < 0.2, "-", np.round(gmv * 0.05, 2).astype(str))
    return pd.DataFrame(
        {
            "主播昵称": [f"主播{i:03d}" for i in account_idx],
            "主播抖音号": [f"dy_acc{i:03d}" for i in account_idx],
            "直播开始时间": start.strftime("%Y/%m/%d %H:%M:%S"),
            "直播结束时间": end.strftime("%Y/%m/%d %H:%M:%S"),
            "直播时长(分钟)": minutes,
            "直播间曝光人数": viewers * 4,
            "直播间观看人数": viewers,
            "直播间观看次数": (viewers * 1.5).astype(int),
            "最高在线人数": viewers // 10,
            "平均在线人数": viewers // 25,
            "人均观看时长(分钟)": np.round(rng.uniform(0.5, 4, rows), 2),
            "评论次数": viewers // 3,
            "新增粉丝数": viewers // 50,
            "取关粉丝数": viewers // 500,
            "直播间商品曝光人数": viewers // 2,
            "直播间商品点击人数": viewers // 5,
            "直播间成交订单数": (buyers * 1.2).astype(int),
            "直播间成交金额": gmv,
            "直播间成交人数": buyers,
            "直播间退款金额": refunds,
            "观看-成交率(人数)": np.round(buyers / viewers, 4),
        }
    )


def write_files(rows: int, directory: Path) -> tuple[Path, Path]:
    frame = make_frame(rows)
    csv_path = directory / f"douyin_{rows}.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    xlsx_path = directory / f"douyin_{rows}.xlsx"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("直播数据")
    sheet.write_row(0, 0, ["抖音电商罗盘-直播间列表"])
    sheet.write_row(2, 0, list(frame.columns))
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=3):
        sheet.write_row(r, 0, values)
    book.close()
    return csv_path, xlsx_path


# --- steps, each run in a child process ------------------------------------------------------------------


def _reset(url: str) -> None:
    from sqlalchemy import delete

    from lib.core.db import get_engine
    from lib.core.models import ImportBatch, ImportChange, LiveSession

    engine = get_engine(url)
    with engine.begin() as conn:
        for table in (ImportChange, LiveSession, ImportBatch):
            conn.execute(delete(table))


def step_preview(url: str, path: str) -> dict:
    from lib.core.db import get_engine
    from lib.importing.pipeline import preview

    engine = get_engine(url)
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    result = preview(engine, data, Path(path).name)
    elapsed = time.perf_counter() - t0
    assert result.ok, [e.message("en") for e in result.errors[:3]]
    return {"seconds": elapsed, "rows": result.rows}


def step_import(url: str, path: str) -> dict:
    from lib.core.db import get_engine
    from lib.importing.pipeline import import_bytes

    _reset(url)
    engine = get_engine(url)
    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    report = import_bytes(engine, data, Path(path).name, username="bench")
    elapsed = time.perf_counter() - t0
    assert report.ok and report.inserted > 0, report.as_dict("en")["errors"][:3]
    t1 = time.perf_counter()
    again = import_bytes(engine, data, Path(path).name, username="bench")
    reimport = time.perf_counter() - t1
    assert again.inserted == 0 and again.updated == 0
    return {"seconds": elapsed, "rows": report.inserted, "reimport_seconds": reimport}


def step_bare_read(url: str, path: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    if path.endswith(".csv"):
        frame = pd.read_csv(path)
    else:
        frame = pd.read_excel(path, engine="calamine", header=2)
    return {"seconds": time.perf_counter() - t0, "rows": len(frame)}


def step_bare_read_openpyxl(url: str, path: str) -> dict:
    """The XLSX reader of the pipeline before python-calamine, for comparison."""
    import pandas as pd

    t0 = time.perf_counter()
    frame = pd.read_excel(path, engine="openpyxl", header=2)
    return {"seconds": time.perf_counter() - t0, "rows": len(frame)}


def step_baseline(url: str, path: str) -> dict:
    """pandas.read_csv / read_excel + one bulk insert of the rows (no validation, no upsert, no undo)."""
    import pandas as pd
    from sqlalchemy import insert

    from lib.core.db import get_engine
    from lib.core.models import LiveSession

    _reset(url)
    engine = get_engine(url)
    t0 = time.perf_counter()
    if path.endswith(".csv"):
        frame = pd.read_csv(path)
    else:
        frame = pd.read_excel(path, engine="calamine", header=2)
    start = pd.to_datetime(frame["直播开始时间"], format="%Y/%m/%d %H:%M:%S")
    out = pd.DataFrame(
        {
            "platform": "douyin",
            "account": frame["主播抖音号"],
            "host_name": frame["主播昵称"],
            "started_at": start.dt.to_pydatetime(),
            "started_on": start.dt.date,
            "ended_at": pd.to_datetime(frame["直播结束时间"], format="%Y/%m/%d %H:%M:%S").dt.to_pydatetime(),
            "duration_minutes": frame["直播时长(分钟)"].astype(float),
            "viewers": frame["直播间观看人数"],
            "views": frame["直播间观看次数"],
            "gmv": frame["直播间成交金额"],
            "buyers": frame["直播间成交人数"],
            "orders": frame["直播间成交订单数"],
            "avg_watch_seconds": frame["人均观看时长(分钟)"] * 60,
        }
    )
    records = out.astype(object).to_dict("records")
    with engine.begin() as conn:
        conn.execute(insert(LiveSession), records)
    return {"seconds": time.perf_counter() - t0, "rows": len(records)}


def _child(step: str, url: str, path: str, queue) -> None:
    result = globals()[step](url, path)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def run(step: str, url: str, path: Path) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(step, url, str(path), queue))
    proc.start()
    result = queue.get(timeout=900)
    proc.join()
    return result


# --- databases ---------------------------------------------------------------------------------------------


def sqlite_url(directory: Path) -> str:
    from lib.core.db import get_engine
    from lib.core.schema import upgrade

    url = f"sqlite:///{directory / 'bench.db'}"
    upgrade(get_engine(url))
    return url


def pg_url() -> str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from lib.core.db import get_engine
    from lib.core.schema import upgrade

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=PG_DB).render_as_string(hide_password=False)
    upgrade(get_engine(url))
    return url


def drop_pg() -> None:
    import sqlalchemy as sa

    from lib.core.db import dispose_engines

    dispose_engines()
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-xlsx-commit", action="store_true")
    parser.add_argument("--no-openpyxl", action="store_true", help="skip the bare read through openpyxl")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        csv_path, xlsx_path = write_files(args.rows, directory)
        gen = time.perf_counter() - t0
        print(
            f"generated {args.rows:,} rows: CSV {csv_path.stat().st_size / 1e6:.1f} MB, "
            f"XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB in {gen:.1f} s"
        )
        dbs = [("SQLite", sqlite_url(directory))]
        if not args.no_pg:
            dbs.append(("PostgreSQL", pg_url()))
        lines = Table()
        lines.append("| file | database | step | seconds | ratio | peak RSS MB |")
        lines.append("|---|---|---|---:|---:|---:|")
        try:
            committed = measure(lines, dbs, "CSV", csv_path, args)
            if not args.no_openpyxl:
                old = run("step_bare_read_openpyxl", dbs[0][1], xlsx_path)
                lines.append(
                    f"| XLSX | – | bare read (pandas + openpyxl, the reader before) | {old['seconds']:.2f} | – | {old['max_rss_mb']:.0f} |"
                )
            xlsx = measure(lines, dbs, "XLSX", xlsx_path, args)
            for db_label, _ in dbs:
                if db_label in xlsx:
                    lines.append(
                        f"| XLSX vs CSV | {db_label} | import committed | {xlsx[db_label]:.2f} vs {committed[db_label]:.2f} | "
                        f"{xlsx[db_label] / committed[db_label]:.2f}× CSV | – |"
                    )
        finally:
            if not args.no_pg:
                drop_pg()
        print("\n".join(lines))


def measure(lines: list[str], dbs: list[tuple[str, str]], label: str, path: Path, args) -> dict[str, float]:
    """The rows of one file: bare read, parse + validate, and per database baseline and commit; returns
    the committed import's seconds per database."""
    bare = run("step_bare_read", dbs[0][1], path)
    prev = run("step_preview", dbs[0][1], path)
    reader = "pandas" if label == "CSV" else "pandas + calamine"
    lines.append(
        f"| {label} | – | bare read ({reader}) | {bare['seconds']:.2f} | 1.00 | {bare['max_rss_mb']:.0f} |"
    )
    lines.append(
        f"| {label} | – | parse + validate (pipeline) | {prev['seconds']:.2f} | "
        f"{prev['seconds'] / bare['seconds']:.2f}× bare read | {prev['max_rss_mb']:.0f} |"
    )
    committed: dict[str, float] = {}
    if label == "XLSX" and args.no_xlsx_commit:
        return committed
    for db_label, url in dbs:
        base = run("step_baseline", url, path)
        imp = run("step_import", url, path)
        committed[db_label] = imp["seconds"]
        lines.append(
            f"| {label} | {db_label} | baseline: read + one bulk insert | {base['seconds']:.2f} | 1.00 | {base['max_rss_mb']:.0f} |"
        )
        lines.append(
            f"| {label} | {db_label} | import committed (pipeline) | {imp['seconds']:.2f} | "
            f"{imp['seconds'] / base['seconds']:.2f}× baseline | {imp['max_rss_mb']:.0f} |"
        )
        lines.append(
            f"| {label} | {db_label} | re-import (all unchanged) | {imp['reimport_seconds']:.2f} | – | – |"
        )
    return committed


class Table(list):
    """Rows of the result table; each is also echoed to stderr as it is measured (a run takes minutes)."""

    def append(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)
        super().append(line)


if __name__ == "__main__":
    main()
