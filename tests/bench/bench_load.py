"""Load benchmark: N simulated users, each a real browser session (a Playwright context in Debian's Chromium),
logged in through nginx (deploy/nginx/liveops.conf) and opening the home, KPI and review pages in a bounded
loop; p50/p95 time to a finished page and the errors, at each user count, with 1 app process and with 3.

    .venv/bin/python -m tests.bench.bench_load [--users 5,10,20] [--processes 1,3]
        [--backends sqlite,postgresql] [--rounds 3] [--sessions N]

Data: the demo (six months, or --sessions N) loaded with the benches' loader into a fresh database per
backend. Each user logs in once (not timed), then opens the three pages `--rounds` times in its own order
(page.goto of the page's URL, as a bookmark opens it). "Finished" = the page's key element is visible and the
app's running indicator has gone. An error is a page that raised, showed an exception or did not finish
within 60 s. The browser and the app processes share the machine's cores: the CPU time of each side is printed
so the bottleneck can be read off (`client CPU s` = Chromium and this script, `server CPU s` = the app
processes and nginx). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lib.core import clock
from lib.core.auth import DEMO_PASSWORD
from tests.bench.common import fresh_database, load_sessions, machine
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.proxy import SHARED_ENV, proxy_ports, start_proxy, start_servers

PAGES = {
    "home": ("/", '[data-testid="stMetricValue"]'),
    "kpis": ("/kpis", '[data-testid="stMetricValue"]'),
    "review": ("/session_detail", '[data-testid="stMetricValue"], [data-testid="stAlert"]'),
}
USERS = ("manager", "admin")  # demo logins that may open all three pages
PAGE_TIMEOUT_MS = 60_000
LOGIN_ATTEMPTS = 3


async def _finished(page, selector: str) -> None:
    await page.locator(selector).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    await page.wait_for_timeout(100)
    await page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=PAGE_TIMEOUT_MS)


async def _login(page, url: str, username: str) -> None:
    """Log in through the form. The first runs of a fresh page (the cookie component's frame reports back and
    reruns the app) can redraw the form under a fast typist and drop what was typed: on a loaded machine that
    left the form waiting for ever. So: wait until the app is idle, type, submit, and if the form is still
    there and the app idle again, type and submit once more (a person would do the same)."""
    await page.goto(url)
    box = page.get_by_role("textbox", name="用户名")
    await box.wait_for(timeout=PAGE_TIMEOUT_MS)
    logout = page.locator(".st-key-logout_button")
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    for attempt in range(LOGIN_ATTEMPTS):
        await _idle(page)
        if await logout.count():
            break
        await box.fill(username)
        await page.get_by_role("textbox", name="密码").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        left_ms = max(1_000, (deadline - time.monotonic()) * 1000 / (LOGIN_ATTEMPTS - attempt))
        try:
            await logout.wait_for(timeout=left_ms)
            break
        except Exception:  # noqa: BLE001 - try again while the deadline allows
            if attempt == LOGIN_ATTEMPTS - 1:
                raise RuntimeError(f"login form still shown after {LOGIN_ATTEMPTS} submissions") from None
    while not any(c["name"] == "liveops_auth" for c in await page.context.cookies()):
        if time.monotonic() > deadline + 30:
            raise RuntimeError("no login cookie 30 s after the app shell showed")
        await page.wait_for_timeout(100)


async def _idle(page) -> None:
    """The app has finished its current run: the running indicator appears only once a run has started, so
    wait a moment before waiting for it to go."""
    await page.wait_for_timeout(300)
    await page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=PAGE_TIMEOUT_MS)


async def _user(browser, url: str, index: int, rounds: int, out: dict) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    try:
        await _login(page, url, USERS[index % len(USERS)])
    except Exception as exc:  # noqa: BLE001 - a failed login is counted, the run goes on
        out["errors"]["login"] += 1
        out["reasons"].append(f"login {index}: {_reason(exc)}")
        await context.close()
        return
    order = list(PAGES)
    order = order[index % 3 :] + order[: index % 3]  # users do not all open the same page at once
    for _ in range(rounds):
        for key in order:
            path, selector = PAGES[key]
            start = time.perf_counter()
            try:
                await page.goto(url + path)
                await _finished(page, selector)
                if await page.locator('[data-testid="stException"]').count():
                    raise RuntimeError("exception on the page")
                out["times"][key].append(time.perf_counter() - start)
            except Exception as exc:  # noqa: BLE001 - counted per page
                out["errors"][key] += 1
                out["reasons"].append(f"{key} {index}: {_reason(exc)}")
    await context.close()


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


async def _run_users(url: str, users: int, rounds: int) -> dict:
    from playwright.async_api import async_playwright

    out = {"times": {k: [] for k in PAGES}, "errors": {k: 0 for k in (*PAGES, "login")}, "reasons": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        await asyncio.gather(*(_user(browser, url, i, rounds, out) for i in range(users)))
        await browser.close()
    return out


def _cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure(url_db: str, processes: int, users: int, rounds: int, tmp: Path) -> dict:
    servers = start_servers(url_db, processes, SHARED_ENV)
    proxy_dir = Path(tempfile.mkdtemp(prefix="liveops-nginx-", dir=tmp))
    proxy = start_proxy(proxy_ports(servers), proxy_dir)
    server_pids = [s.proc.pid for s in servers] + [proxy.proc.pid]
    server_cpu0 = _cpu_of(server_pids)
    client0 = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    try:
        out = asyncio.run(_run_users(proxy.url, users, rounds))
    finally:
        wall = time.perf_counter() - start
        server_cpu = _cpu_of(server_pids) - server_cpu0
        proxy.proc.terminate()
        proxy.proc.wait(timeout=10)
        for server in servers:
            server.stop()
    children, me = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    # Chromium's processes are reaped when the browser closes: they count in RUSAGE_CHILDREN (the app
    # processes are stopped afterwards, so they are not in it yet at this point).
    client_cpu = (children.ru_utime + children.ru_stime - client0[0].ru_utime - client0[0].ru_stime) + (
        me.ru_utime + me.ru_stime - client0[1].ru_utime - client0[1].ru_stime
    )
    everything = [t for k in PAGES for t in out["times"][k]]
    return {
        "pages": len(everything),
        "errors": sum(out["errors"].values()),
        "reasons": out["reasons"],
        "p50": _pct(everything, 50),
        "p95": _pct(everything, 95),
        "per_page": {k: (_pct(v, 50), _pct(v, 95)) for k, v in out["times"].items()},
        "wall": wall,
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", default="5,10,20")
    parser.add_argument("--processes", default="1,3")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, help="demo sessions (default: the demo's six months)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("LIVEOPS_BCRYPT_ROUNDS", "4")  # logins are not what is measured
    tmp = Path(tempfile.mkdtemp(prefix="liveops-bench-load-"))
    print(f"# Load through nginx — {machine()}, {clock.today()}\n")
    print(
        "| backend | processes | users | pages | errors | p50 s | p95 s | home p50/p95 | kpis p50/p95 "
        "| review p50/p95 | wall s | client CPU s | server CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|")
    reasons: list[str] = []
    for backend in args.backends.split(","):
        url = fresh_database(backend, "liveops_bench_load", tmp)
        load_sessions(url, args.sessions)
        for processes in (int(p) for p in args.processes.split(",")):
            for users in (int(u) for u in args.users.split(",")):
                r = measure(url, processes, users, args.rounds, tmp)
                pp = r["per_page"]
                print(
                    f"| {backend} | {processes} | {users} | {r['pages']} | {r['errors']} | {r['p50']:.2f} "
                    f"| {r['p95']:.2f} | "
                    + " | ".join(f"{pp[k][0]:.2f} / {pp[k][1]:.2f}" for k in PAGES)
                    + f" | {r['wall']:.0f} | {r['client_cpu']:.0f} | {r['server_cpu']:.0f} |",
                    flush=True,
                )
                reasons += [f"{backend}, {processes} processes, {users} users: {x}" for x in r["reasons"]]
    if reasons:  # why each error happened, under the table
        print("\nErrors:\n" + "\n".join(f"- {x}" for x in reasons))
    return 0


if __name__ == "__main__":
    sys.exit(main())
