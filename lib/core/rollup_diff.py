"""Comparing a maintained roll-up with a fresh GROUP BY of its raw rows (lib.rollups, lib.incidents): the
keys whose stored figures differ, missing or extra keys included."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

REL_TOLERANCE = 1e-9  # float sums added in another order differ in the last bits


def same_figure(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=REL_TOLERANCE, abs_tol=1e-6)


def _by_key(rows: Iterable[Any], keys: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        m = dict(row._mapping)
        out[tuple(m.pop(k) for k in keys)] = m
    return out


def keyed_differences(
    stored_rows: Iterable[Any], fresh_rows: Iterable[Any], keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    """[{key: {name: value}, column: [stored, fresh]}] for every key whose figures differ (a key only on one
    side: {row: ["missing"|"present", "missing"|"present"]}), in key order."""
    stored, fresh = _by_key(stored_rows, keys), _by_key(fresh_rows, keys)
    out = []
    for key in sorted(set(fresh) | set(stored), key=lambda k: tuple(str(x) for x in k)):
        a, b = stored.get(key), fresh.get(key)
        if a is None or b is None:
            diff = {"row": ["missing" if a is None else "present", "missing" if b is None else "present"]}
        else:
            diff = {n: [a[n], b[n]] for n in a if not same_figure(a[n], b[n])}
        if diff:
            out.append({"key": dict(zip(keys, key, strict=True)), **diff})
    return out
