"""Page heights on a phone and a desktop, and the time to the first KPI number, on the demo data.

    .venv/bin/python -m tests.bench.bench_phone [--pages overview,kpis,...] [--runs 3]

Loads the demo data (six months, or --sessions N, with the benches' loader) into a temp SQLite file, starts the app with
`streamlit run` and drives Debian's Chromium as the demo manager. For each page at 390x844 (a phone) and
1440x900 it records the full scroll height in px once the page has settled; for the KPI page and the home
page, the time from opening the page's URL (logged in by the cookie, as a bookmark or a shared link opens)
until the first `[data-testid="stMetricValue"]` is visible (median of --runs). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lib.core.auth import DEMO_PASSWORD
from tests.bench.common import fresh_database, load_sessions, machine

VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 900)}
PAGES = (
    "overview",
    "kpis",
    "session_detail",
    "scorecards",
    "incident_report",
    "survey_results",
    "incidents",
    "survey",
    "cases",
    "upload",
    "targets",
    "people",
)
TIMED = ("overview", "kpis")  # pages whose first number a manager waits for

# The page's full height: the document's, or Streamlit's own scrolling main area's (whichever scrolls).
HEIGHT_JS = """() => Math.max(
    document.scrollingElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')]
        .map(e => e.scrollHeight))"""


def settle(page) -> None:
    """Wait until the script run is over and the height stops changing (charts draw after the run; the
    running indicator shows only after a moment, so a quiet spell of 2.5 s is what counts)."""
    page.locator("h1").first.wait_for()
    running = page.locator('[data-testid="stStatusWidget"]')
    last, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 2.5:
        page.wait_for_timeout(250)
        height = page.evaluate(HEIGHT_JS)
        if height != last or running.count():
            last, stable_since = height, time.monotonic()


def first_number_seconds(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - start


def measure(browser, server, size: str, pages: list[str], runs: int) -> dict[str, dict]:
    from tests.e2e.conftest import ARTIFACTS, login

    width, height = VIEWPORTS[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=size == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(120_000)
    login(page, server, "manager", DEMO_PASSWORD)
    out: dict[str, dict] = {}
    for key in pages:
        url = f"{server.url}/{key}"
        row: dict = {}
        if key in TIMED:
            row["first_number"] = statistics.median(first_number_seconds(page, url) for _ in range(runs))
        page.goto(url)
        settle(page)
        row["height"] = page.evaluate(HEIGHT_JS)
        if key in TIMED:  # where the first number sits: above the fold (< the viewport's height) or not
            row["first_y"] = page.locator('[data-testid="stMetricValue"]').first.bounding_box()["y"]
        page.screenshot(path=str(ARTIFACTS / f"bench-{size}-{key}.png"))
        out[key] = row
        print(f"  {size} {key}: {row}", file=sys.stderr, flush=True)
    context.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, help="demo sessions (default: the demo's six months)")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="liveops-bench-phone-"))
    url = fresh_database("sqlite", "phone", tmp)
    load_s, _, _ = load_sessions(url, args.sessions)
    server = Server(url)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            results = {size: measure(browser, server, size, pages, args.runs) for size in VIEWPORTS}
            browser.close()
    finally:
        server.stop()
    print(f"# Page heights and time to first number — {machine()}; demo load {load_s:.0f} s\n")
    print(
        "| page | phone 390×844 height px | screens | desktop 1440×900 height px | first number s "
        "(phone / desktop) | first number at y px (phone / desktop) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for key in pages:
        phone, desk = results["phone"][key], results["desktop"][key]
        first = " / ".join(f"{r['first_number']:.2f}" for r in (phone, desk)) if key in TIMED else ""
        where = " / ".join(f"{r['first_y']:.0f}" for r in (phone, desk)) if key in TIMED else ""
        print(
            f"| {key} | {phone['height']:,} | {phone['height'] / VIEWPORTS['phone'][1]:.1f} "
            f"| {desk['height']:,} | {first} | {where} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
