"""`make bench`: run every tests/bench/bench_*.py in turn; each prints a markdown table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n## {script.stem}\n", flush=True)
        result = subprocess.run([sys.executable, "-m", f"tests.bench.{script.stem}"], cwd=HERE.parents[1])
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
