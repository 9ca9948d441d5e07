"""Complementary suppression of a round's published table.

The published figures of a round form a two-way table: cells (rater department, rated department), row
figures (how a department rates the others), column figures (how a department is rated) and the round
total. Every figure's score counts are the sum of its cells' score counts, so what a reader can derive
from the shown figures is exactly the linear span of the table's lines (row f: its cells minus its row
figure; column t: its cells minus its column figure; the margin row and column: the column or row
figures minus the total). Seen as a graph (nodes: rows, columns and the two margins; one edge per hidden
figure), a hidden figure can be worked out if and only if its edge is a bridge (it lies on no cycle of
hidden figures). The response counts of rater departments form a second, one-line system: the round's
count is the sum of theirs.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Entry = tuple[str, Any]  # ("cell", (rater, rated)) | ("row", rater) | ("col", rated)
_MARGIN = None  # the node of the margin row / margin column
_COST = {"cell": 1, "row": 1, "col": 3}  # rated-department figures feed scorecards: hide them last


@dataclass
class Suppression:
    """Hidden groups: the round total, rater rows (their figures), rated columns, (rater, rated) cells,
    and rater response counts (`counts`, always within `rows`)."""

    total: bool
    rows: set[int]
    cols: set[int]
    cells: set[tuple[int, int]]
    counts: set[int] = field(default_factory=set)


def _ends(entry: Entry) -> tuple[tuple[str, object], tuple[str, object]]:
    kind, key = entry
    if kind == "cell":
        return ("r", key[0]), ("c", key[1])
    if kind == "row":
        return ("r", key), ("c", _MARGIN)
    return ("r", _MARGIN), ("c", key)


def _connected(edges: Iterable[Entry], start: tuple[str, object], goal: tuple[str, object]) -> bool:
    graph: dict[tuple, list[tuple]] = defaultdict(list)
    for entry in edges:
        a, b = _ends(entry)
        graph[a].append(b)
        graph[b].append(a)
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def bridges(hidden: set[Entry]) -> list[Entry]:
    """Hidden figures that the shown ones determine (edges on no cycle of hidden figures)."""
    ordered = sorted(hidden, key=repr)
    return [e for e in ordered if not _connected([h for h in ordered if h != e], *_ends(e))]


def _cheapest_path(costs: Mapping[Entry, int], hidden: set[Entry], avoid: Entry) -> list[Entry] | None:
    """Dijkstra between the ends of `avoid` over every figure but it (hidden ones cost nothing)."""
    graph: dict[tuple, list[tuple[int, Entry, tuple]]] = defaultdict(list)
    for entry, cost in costs.items():
        if entry != avoid:
            a, b = _ends(entry)
            weight = 0 if entry in hidden else cost
            graph[a].append((weight, entry, b))
            graph[b].append((weight, entry, a))
    start, goal = _ends(avoid)
    best: dict[tuple, int] = {start: 0}
    back: dict[tuple, tuple[tuple, Entry]] = {}
    heap: list[tuple[int, str, tuple]] = [(0, repr(start), start)]
    while heap:
        dist, _, node = heapq.heappop(heap)
        if node == goal:
            path = []
            while node != start:
                node, entry = back[node]
                path.append(entry)
            return path
        if dist > best.get(node, dist):
            continue
        for weight, entry, nxt in sorted(graph[node], key=lambda x: (x[0], repr(x[1]))):
            if dist + weight < best.get(nxt, dist + weight + 1):
                best[nxt] = dist + weight
                back[nxt] = (node, entry)
                heapq.heappush(heap, (dist + weight, repr(nxt), nxt))
    return None


def _complete(members: Mapping[Any, int], hidden: set, k: int) -> bool:
    """One line of the response counts: hidden members are none, or two or more with k between them."""
    shown = sorted((n, repr(m), m) for m, n in members.items() if m not in hidden)
    inside = [members[m] for m in members if m in hidden]
    changed = False
    while inside and shown and (len(inside) < 2 or sum(inside) < k):
        n, _, m = shown.pop(0)
        hidden.add(m)
        inside.append(n)
        changed = True
    return changed


_ENUMERATE_MAX = 16  # free 0/1 combinations searched exhaustively (2**16 at most)


def _rref(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form (floats; the table's coefficients are 0/1) and its pivot columns."""
    m = matrix.astype(float).copy()
    pivots: list[int] = []
    r = 0
    for c in range(m.shape[1]):
        if r == m.shape[0]:
            break
        p = r + int(np.argmax(np.abs(m[r:, c])))
        if abs(m[p, c]) < 1e-9:
            continue
        m[[r, p]] = m[[p, r]]
        m[r] /= m[r, c]
        others = np.arange(m.shape[0]) != r
        m[others] -= np.outer(m[others, c], m[r])
        pivots.append(c)
        r += 1
    return m[:r], pivots


def _shown_matrix(
    cells: list[tuple[int, int]], hidden: set[Entry], order: list[tuple[int, int]]
) -> np.ndarray:
    """One row per shown figure (total, rows, columns, cells) over the cells in `order`."""
    index = {c: i for i, c in enumerate(order)}
    groups = [cells]
    groups += [[c for c in cells if c[0] == f] for f in {c[0] for c in cells} if ("row", f) not in hidden]
    groups += [[c for c in cells if c[1] == t] for t in {c[1] for c in cells} if ("col", t) not in hidden]
    groups += [[c] for c in cells if ("cell", c) not in hidden]
    out = np.zeros((len(groups), len(order)))
    for i, group in enumerate(groups):
        out[i, [index[c] for c in group]] = 1
    return out


def _derivable(cells: list[tuple[int, int]], hidden: set[Entry], found: set[tuple[int, int]]) -> bool:
    """Whether the sum of the cells in `found` follows from the shown figures."""
    matrix = _shown_matrix(cells, hidden, cells)
    wanted = np.array([[1.0 if c in found else 0.0 for c in cells]])
    return np.linalg.matrix_rank(np.vstack([matrix, wanted])) == np.linalg.matrix_rank(matrix)


def _small_derived(
    cells: Mapping[tuple[int, int], int],
    hidden: set[Entry],
    k: int,
    people: Callable[[set[tuple[int, int]]], int],
) -> set[tuple[int, int]] | None:
    """A set of hidden cells whose sum follows from the shown figures but that holds fewer than k people
    (the empty set when there are too many combinations to search); None when there is none. Such a set
    holds only cells under k (its people number at least its largest cell), so only those are searched."""
    small = sorted(c for c, n in cells.items() if n < k and ("cell", c) in hidden)
    if not small:
        return None
    rest = sorted(c for c in cells if c not in small)
    order = (
        [c for c in rest if ("cell", c) not in hidden] + [c for c in rest if ("cell", c) in hidden] + small
    )
    rows, pivots = _rref(_shown_matrix(list(cells), hidden, order))
    first = len(order) - len(small)
    basis = rows[[i for i, p in enumerate(pivots) if p >= first]][:, first:]
    if len(basis) > _ENUMERATE_MAX:
        return set()
    if not len(basis):
        return None
    combos = np.array(list(itertools.product((0.0, 1.0), repeat=len(basis)))[1:])
    sums = combos @ basis
    binary = np.all(np.isclose(sums, 0) | np.isclose(sums, 1), axis=1)
    for vector in sums[binary]:
        found = {small[j] for j in np.flatnonzero(np.isclose(vector, 1))}
        if people(found) < k:
            return found
    return None


class _Table:
    """A round's figures (response counts per row, column and cell) and the figures hidden so far."""

    def __init__(
        self,
        rows: Mapping[int, int],
        cols: Mapping[int, int],
        cells: Mapping[tuple[int, int], int],
        k: int,
        signatures: Mapping[tuple[int, frozenset[int]], int] | None,
    ) -> None:
        self.rows, self.cols, self.cells, self.k, self.signatures = rows, cols, cells, k, signatures
        self.counts: set[int] = {f for f, n in rows.items() if n < k}
        _complete(rows, self.counts, k)  # the response counts: the round count is their sum
        self.costs: dict[Entry, int] = {("cell", c): _COST["cell"] * n for c, n in cells.items()}
        self.costs.update({("row", f): _COST["row"] * n for f, n in rows.items()})
        self.costs.update({("col", t): _COST["col"] * n for t, n in cols.items()})
        self.hidden: set[Entry] = {("cell", c) for c, n in cells.items() if n < k}
        self.hidden |= {("col", t) for t, n in cols.items() if n < k}
        self.hidden |= {("row", f) for f in self.counts}

    def people(self, rater: int, rated: set[int]) -> int:
        if self.signatures is None:
            return max((self.cells[(rater, t)] for t in rated if (rater, t) in self.cells), default=0)
        return sum(n for (f, sig), n in self.signatures.items() if f == rater and sig & rated)

    def people_in(self, found: set[tuple[int, int]]) -> int:
        return sum(self.people(f, {t for ff, t in found if ff == f}) for f in {c[0] for c in found})

    def hide_cheapest(self, line: Iterable[Entry]) -> bool:
        shown = sorted((self.costs[e], repr(e), e) for e in line if e not in self.hidden)
        if not shown:
            return False
        self.hidden.add(shown[0][2])
        return True

    def small_line(self) -> bool:
        """Hide one more figure in the first line whose hidden cells are known together but hold < k."""
        rows, cols, cells, hidden, k = self.rows, self.cols, self.cells, self.hidden, self.k
        for f in sorted(rows):
            if ("row", f) not in hidden:
                inside = {t for (ff, t) in cells if ff == f and ("cell", (ff, t)) in hidden}
                if inside and self.people(f, inside) < k:
                    return self.hide_cheapest(("cell", c) for c in cells if c[0] == f)
        for t in sorted(cols):
            if ("col", t) not in hidden:
                held = sum(n for c, n in cells.items() if c[1] == t and ("cell", c) in hidden)
                if held and held < k:
                    return self.hide_cheapest(("cell", c) for c in cells if c[1] == t)
        hidden_rows = [f for f in rows if ("row", f) in hidden]
        if hidden_rows and sum(rows[f] for f in hidden_rows) < k:
            return self.hide_cheapest(("row", f) for f in rows)
        hidden_cols = {t for t in cols if ("col", t) in hidden}
        if hidden_cols and sum(self.people(f, hidden_cols) for f in rows) < k:
            return self.hide_cheapest(("col", t) for t in cols)
        return False

    def step(self) -> str:
        """Hide one more figure ("more"), find nothing left to hide ("done"), or give up ("all": only
        hiding the round total protects the table)."""
        if self.small_line():
            return "more"
        found = bridges(self.hidden)
        if found:
            path = _cheapest_path(self.costs, self.hidden, found[0])
            if path is None:  # nothing can shield it without the round total: show nothing
                return "all"
            self.hidden.update(path)
            return "more"
        # Sums across several lines (e.g. total - a column - a row): hide the cheapest figure that breaks it.
        leak = _small_derived(self.cells, self.hidden, self.k, self.people_in)
        if leak is None:
            return "done"
        shown = sorted((self.costs[e], repr(e), e) for e in self.costs if e not in self.hidden)
        if not shown:
            return "all"
        if leak:
            breaking = [e for _, _, e in shown if not _derivable(list(self.cells), self.hidden | {e}, leak)]
        else:  # too many combinations to search: fewer shown margins, fewer combinations
            breaking = [e for _, _, e in shown if e[0] != "cell"]
        self.hidden.add(breaking[0] if breaking else shown[0][2])
        return "more"

    def result(self) -> Suppression:
        return Suppression(
            False,
            {f for f in self.rows if ("row", f) in self.hidden},
            {t for t in self.cols if ("col", t) in self.hidden},
            {c for c in self.cells if ("cell", c) in self.hidden},
            self.counts,
        )


def suppress(
    total: int,
    rows: Mapping[int, int],
    cols: Mapping[int, int],
    cells: Mapping[tuple[int, int], int],
    k: int,
    signatures: Mapping[tuple[int, frozenset[int]], int] | None = None,
) -> Suppression:
    """Primary suppression (groups under k) plus complementary suppression, so that no hidden figure can
    be worked out from the shown ones and every sum of hidden cells that can be worked out along one line
    of the table holds k or more responses.

    `rows`: responses per rater department; `cols`: responses rating each department; `cells`: responses
    per (rater, rated); `signatures`: (rater, set of rated departments) -> responses, to count the people
    behind several cells of one row (without it the largest cell is the bound, which is safe)."""
    if total < k:
        return Suppression(True, set(rows), set(cols), set(cells), set(rows))
    table = _Table(rows, cols, cells, k, signatures)
    while (outcome := table.step()) == "more":
        pass
    if outcome == "all":
        return Suppression(True, set(rows), set(cols), set(cells), set(rows))
    return table.result()
