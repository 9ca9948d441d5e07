"""nginx in front of N `streamlit run` processes, as deploy/nginx/liveops.conf sets it up: used by the proxy
browser test (tests/e2e/test_proxy.py) and the load benchmark (tests/bench/bench_load.py)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import ARTIFACTS, ROOT, Server, free_port

CONF = ROOT / "deploy" / "nginx" / "liveops.conf"
DEFAULT_PORTS = (8501, 8502, 8503)
SHARED_ENV = {
    "LIVEOPS_COOKIE_KEY": "proxy-e2e-cookie-key-" + "p" * 40,
    "STREAMLIT_SERVER_COOKIE_SECRET": "proxy-e2e-streamlit-secret-" + "s" * 40,
}


def render_conf(ports: tuple[int, ...], listen: int) -> str:
    """deploy/nginx/liveops.conf with the test's ports; refuses to run if the file no longer has them."""
    text = CONF.read_text()
    for default, port in zip(DEFAULT_PORTS, ports, strict=True):
        assert f"127.0.0.1:{default}" in text
        text = text.replace(f"127.0.0.1:{default}", f"127.0.0.1:{port}")
    assert "listen 80;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen};")


@dataclass
class Proxy:
    url: str
    proc: subprocess.Popen
    access_log: Path

    def upstreams(self) -> list[tuple[str, str]]:
        """(node cookie, upstream address) of every request nginx has passed on so far."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            node, upstream = line.split(" ", 2)[:2]
            rows.append((node, upstream))
        return rows


def start_proxy(ports: tuple[int, ...], tmp: Path) -> Proxy:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx not found: apt-get install -y nginx-light (.ci/ensure-nginx does)")
    listen = free_port()
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir()
    (tmp / "liveops.conf").write_text(render_conf(ports, listen))
    (tmp / "nginx.conf").write_text(
        f"""user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstream '$cookie_liveops_node $upstream_addr $status "$request"';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/liveops.conf;
}}
"""
    )
    check = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    proc = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{listen}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return Proxy(url, proc, tmp / "access.log")
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"nginx did not answer on {url}; see {tmp / 'error.log'}")


def start_servers(database_url: str, count: int, env: dict[str, str]) -> list[Server]:
    """`count` app processes on one database, started side by side."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: Server(database_url, env), range(count)))


def proxy_ports(servers: list[Server]) -> tuple[int, ...]:
    """The three upstream ports of the shipped file: one process takes all three places."""
    ports = [s.port for s in servers]
    return tuple(ports[i % len(ports)] for i in range(len(DEFAULT_PORTS)))
