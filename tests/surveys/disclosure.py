"""An attacker's view of a round's published table, independent of lib.surveys: solve the linear system
of every shown figure for the hidden cells.

Model (deliberately generous to the attacker): each shown figure (round total, rater row, rated column,
(rater, rated) cell) reveals its exact score counts per question, so every score count and response count
of a group is the sum of its cells' counts. What can be derived about the hidden cells is then the set of
vectors w over hidden cells with (w, 0) in the row space of the shown groups' indicator matrix. A
suppression is safe when no such combination with 0/1 weights is a single cell or holds fewer than k
people; rater response counts (one line: the round count is their sum) are checked apart.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction

import numpy as np

Cell = tuple[int, int]


def _rref_rows_on(matrix: list[list[Fraction]], first: int) -> list[list[Fraction]]:
    """Reduced row echelon form; returns the rows whose pivot lies at column `first` or later."""
    m = [row[:] for row in matrix]
    pivot_row, width = 0, len(m[0]) if m else 0
    pivots = []
    for col in range(width):
        pick = next((i for i in range(pivot_row, len(m)) if m[i][col] != 0), None)
        if pick is None:
            continue
        m[pivot_row], m[pick] = m[pick], m[pivot_row]
        lead = m[pivot_row][col]
        m[pivot_row] = [v / lead for v in m[pivot_row]]
        for i in range(len(m)):
            if i != pivot_row and m[i][col] != 0:
                factor = m[i][col]
                m[i] = [a - factor * b for a, b in zip(m[i], m[pivot_row], strict=True)]
        pivots.append(col)
        pivot_row += 1
        if pivot_row == len(m):
            break
    return [m[i] for i, col in enumerate(pivots) if col >= first]


def _indicator(group: Iterable[Cell], order: list[Cell]) -> list[Fraction]:
    members = set(group)
    return [Fraction(1 if c in members else 0) for c in order]


def determined_cells(shown_groups: list[list[Cell]], cells: list[Cell], hidden: set[Cell]) -> list[Cell]:
    """Hidden cells whose value follows from the shown groups: the cell's unit vector lies in the row space,
    i.e. reducing it by the echelon form (computed once, not a rank per cell) leaves nothing."""
    basis = _rref_rows_on([_indicator(g, cells) for g in shown_groups], 0)
    pivots = [next(j for j, v in enumerate(row) if v != 0) for row in basis]
    found = []
    for h in sorted(hidden):
        rest = _indicator([h], cells)
        for row, pivot in zip(basis, pivots, strict=True):
            if rest[pivot] != 0:
                factor = rest[pivot]
                rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
        if not any(rest):
            found.append(h)
    return found


def derivable_sets(shown_groups: list[list[Cell]], cells: list[Cell], among: set[Cell]) -> list[set[Cell]]:
    """Every non-empty set of cells from `among` (hidden) whose sum follows from the shown groups: the rows
    of the echelon form that pivot on `among` (ordered last) span exactly those sums; 0/1 ones are listed."""
    rest = [c for c in cells if c not in among]
    last = sorted(among)
    order = rest + last
    basis = _rref_rows_on([_indicator(g, order) for g in shown_groups], len(rest))
    if not basis or not last:
        return []
    assert len(basis) <= 20, "too many free combinations to enumerate"
    b = np.array([[float(v) for v in row[len(rest) :]] for row in basis])
    combos = np.array(list(itertools.product((0, 1), repeat=len(basis)))[1:], dtype=float)
    sums = combos @ b
    ok = np.all(np.isclose(sums, 0) | np.isclose(sums, 1), axis=1)
    return [{last[j] for j in np.flatnonzero(np.isclose(s, 1))} for s in sums[ok]]


def leaks(
    total_shown: bool,
    shown_rows: set[int],
    shown_cols: set[int],
    shown_cells: set[Cell],
    shown_counts: set[int],
    rows: Mapping[int, int],
    cells: Mapping[Cell, int],
    people: Callable[[set[Cell]], int],
    k: int,
) -> list[str]:
    """What an attacker can derive that the suppression promised to hide (empty when safe)."""
    if not total_shown:
        return [] if not (shown_rows or shown_cols or shown_cells or shown_counts) else ["total hidden only"]
    groups = [list(cells)]
    groups += [[c for c in cells if c[0] == f] for f in shown_rows]
    groups += [[c for c in cells if c[1] == t] for t in shown_cols]
    groups += [[c] for c in shown_cells]
    hidden = set(cells) - shown_cells
    out = [f"hidden cell {[h]} is determined" for h in determined_cells(groups, list(cells), hidden)]
    # A set holding fewer than k people has only cells under k (it holds at least its largest cell), and
    # the sums over hidden cells that avoid every other hidden cell are what is derivable about them.
    small = {c for c in hidden if cells[c] < k}
    for found in derivable_sets(groups, list(cells), small):
        if people(found) < k:
            out.append(f"hidden cells {sorted(found)} are known together but hold {people(found)} < {k}")
    hidden_counts = set(rows) - shown_counts
    if len(hidden_counts) == 1:
        out.append(f"response count of {hidden_counts} is the total minus the shown ones")
    elif hidden_counts and sum(rows[f] for f in hidden_counts) < k:
        out.append(f"response counts of {sorted(hidden_counts)} add up to fewer than {k}")
    small = [c for c in shown_cells if cells[c] < k] + [f for f in shown_counts if rows[f] < k]
    if small:
        out.append(f"groups under k shown: {small}")
    return out
