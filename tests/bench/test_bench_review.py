"""Smoke test of the session-review benchmark at a tiny size (no time is asserted): the generated data is
consistent (session totals are the sums of their minute rows), the trend files it writes import through
the real CLI without a refusal or a reconciliation warning, and the imported minute rows are exactly the
ones generated. PostgreSQL runs too when LIVEOPS_TEST_DATABASES lists it (its own small database)."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from tests.bench import bench_review as br
from tests.bench import review_build as rb
from tests.conftest import BACKENDS

SESSIONS, TRENDS = 40, 4


def _generated_trend_rows() -> dict[str, np.ndarray]:
    parts = [chunk.trend for chunk in rb.chunks(SESSIONS, TRENDS)]
    return {c: np.concatenate([p[c] for p in parts]) for c in rb.MINUTE_COLUMNS}


@pytest.mark.parametrize("backend", [b for b in ("sqlite", "postgresql") if b in BACKENDS])
def test_bench_review_small(backend, tmp_path):
    args = br.parse_args(
        ["--backend", backend, "--sessions", str(SESSIONS), "--trend-sessions", str(TRENDS)]
        + ["--samples", "3", "--no-page", "--keep", "--tmp", str(tmp_path)]
        + ["--pg-database", "liveops_bench_review_smoke"]
    )
    try:
        out = br.run_backend(backend, args)
        engine = sa.create_engine(out["url"])
        with engine.connect() as conn:
            counts = conn.execute(
                sa.text("SELECT count(*), count(DISTINCT session_id) FROM session_minutes")
            ).one()
            mismatched = conn.execute(
                sa.text(
                    "SELECT count(*) FROM live_sessions s JOIN (SELECT session_id, sum(gmv_cents) AS c, "
                    "sum(orders) AS o FROM session_minutes GROUP BY session_id) m ON m.session_id = s.id "
                    "WHERE abs(s.gmv * 100 - m.c) > 0.5 OR s.orders <> m.o"
                )
            ).scalar()
            imported = conn.execute(
                sa.text(
                    f"SELECT {', '.join(rb.MINUTE_COLUMNS)} FROM session_minutes "
                    "WHERE session_id > :n ORDER BY session_id, minute"
                ),
                {"n": SESSIONS},
            ).all()
        engine.dispose()
    finally:
        if backend == "postgresql":
            br.drop_pg(args.pg_database)
    generated = _generated_trend_rows()
    assert out["import"]["files"] == TRENDS
    assert (out["import"]["refused"], out["import"]["warnings"]) == (0, 0)
    assert out["import"]["inserted"] == len(generated["minute"]) == len(imported)
    assert counts == (out["rows"] + len(imported), SESSIONS + TRENDS)
    assert mismatched == 0
    for i, column in enumerate(rb.MINUTE_COLUMNS):
        assert [r[i] for r in imported] == generated[column].tolist(), column
    assert out["size"][0] > 0 and out["size"][1] >= out["size"][0]
    assert set(out["page"]["parts"]) >= {"minute_frame + summary", "incident_spans", "products", "sources"}
    assert set(out["pk"]["parts"]) >= {"pk_minutes", "pk_totals", "pk_products", "pk_sources"}
