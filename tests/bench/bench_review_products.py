"""The review page of one session with a hostile number of products (issue 25 item 15: 150,000 products
took the page 12.6 s). Builds a database with one such session (240 minute rows, 6 sources, N products,
shelf times spread over the session) beside a normal one, then times the page's product reads and the
page itself under AppTest, cold (caches cleared) and warm.

    python -m tests.bench.bench_review_products [--backend sqlite|postgresql] [--products 150000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from tests.bench.common import bench_engine, fresh_database, machine, page_cold_warm

START = dt.datetime(2026, 11, 2, 20, 0)
MINUTES = 240
CHUNK = 10_000


def build(url: str, products: int, seed: int = 7) -> tuple[int, int]:
    """Two sessions (a normal one with 10 products, and the big one); their ids."""
    from lib.core.db import get_engine, write
    from lib.core.models import LiveSession, SessionMinute, SessionProduct, SessionSource
    from lib.core.schema import upgrade

    engine = get_engine(url)
    upgrade(engine)
    rnd = random.Random(seed)
    ids = []
    with write(engine) as conn:
        for n, count in enumerate((10, products)):
            start = START + dt.timedelta(days=n)
            sid = conn.execute(
                sa.insert(LiveSession).values(
                    platform="douyin",
                    account="bench",
                    room="bench room",
                    host_name=f"host{n}",
                    started_at=start,
                    started_on=start.date(),
                    ended_at=start + dt.timedelta(minutes=MINUTES),
                    duration_minutes=MINUTES,
                    viewers=50_000,
                    gmv=1_000_000.0,
                    orders=5_000,
                )
            ).inserted_primary_key[0]
            ids.append(sid)
            online = [
                max(10, int(500 + 300 * ((m % 60) - 30) / 30 + rnd.randint(-50, 50))) for m in range(MINUTES)
            ]
            conn.execute(
                sa.insert(SessionMinute),
                [
                    {
                        "session_id": sid,
                        "minute": m,
                        "online": online[m],
                        "entering": 20,
                        "leaving": 18,
                        "comments": 5,
                        "likes": 30,
                        "new_followers": 1,
                        "orders": 20,
                        "gmv_cents": 400_000,
                    }
                    for m in range(MINUTES)
                ],
            )
            conn.execute(
                sa.insert(SessionSource),
                [
                    {"session_id": sid, "source": f"source {i}", "viewers": 8_000, "gmv": 150_000.0}
                    for i in range(6)
                ],
            )
            for first in range(0, count, CHUNK):
                rows = []
                for i in range(first, min(count, first + CHUNK)):
                    exposure = rnd.randint(100, 100_000)
                    clicks = rnd.randint(0, exposure // 10)
                    orders = rnd.randint(0, max(1, clicks // 5))
                    rows.append(
                        {
                            "session_id": sid,
                            "product_id": f"P{i:07d}",
                            "name": f"商品 {i}",
                            "price": 99.0,
                            "first_on_shelf": start + dt.timedelta(seconds=rnd.randint(0, MINUTES * 60 - 1)),
                            "explain_count": rnd.randint(0, 3),
                            "explain_seconds": rnd.randint(0, 300),
                            "exposure": exposure,
                            "clicks": clicks,
                            "orders": orders,
                            "units": orders,
                            "gmv": round(orders * 99.0 + rnd.random(), 2),
                            "refund": 0.0,
                        }
                    )
                conn.execute(sa.insert(SessionProduct), rows)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return ids[0], ids[1]


def reads(engine: sa.Engine, sid: int) -> dict[str, float]:
    """Seconds of each product read the review page makes (new engine: cold connection)."""
    from lib import review as rv

    calls = {
        "detail_counts": lambda: rv.detail_counts(engine, sid),
        "top_products": lambda: rv.top_products(engine, sid),
        # what the products table reads: its first page now (PRODUCTS_PAGE), the whole list before
        "products (what the table reads)": lambda: (
            rv.products(engine, sid, rv.PRODUCTS_PAGE, 0)
            if hasattr(rv, "PRODUCTS_PAGE")
            else rv.products(engine, sid)
        ),
        "product_windows": lambda: rv.product_windows(engine, sid),
        "biggest_dip": lambda: rv.biggest_dip(engine, sid),
    }
    out = {}
    for name, call in calls.items():
        start = time.perf_counter()
        call()
        out[name] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--products", type=int, default=150_000)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-review-products-"))
    url = fresh_database(args.backend, "bench_review_products", tmp)
    started = time.perf_counter()
    small, big = build(url, args.products)
    print(f"# review page with {args.products:,} products in one session ({args.backend}; {machine()})")
    print(f"build: {time.perf_counter() - started:.1f} s")
    engine = bench_engine(url)
    for name, seconds in reads(engine, big).items():
        print(f"| read {name} | {seconds:.3f} s |")
    for label, sid in (("normal session (10 products)", small), (f"{args.products:,} products", big)):
        cold, warm, _at = page_cold_warm("session_detail", {"session": str(sid)})
        print(f"| review page, {label}: cold / warm | {cold:.2f} / {warm:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
