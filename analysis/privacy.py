"""Small cells and privacy (METHODOLOGY §6).

* :func:`cell_display` – n is always shown; below n = 30 the percentage is withheld
  ("n nhỏ / small n"); a Wilson half-width over 10 points is flagged.
* :func:`suppress_small_cells` – export rule: cells under 5 respondents in a table crossed with
  demographics are suppressed (zero included, as the rule says "under 5"). By default it also
  applies secondary suppression, because a lone suppressed cell in a row or column is recovered
  by subtracting the others from the published margin.
* :func:`complementary_suppression` – the published-report rule: a cell under 30 respondents
  shows n only, and further cells are hidden until no hidden cell's result follows from the
  published ones by linear differencing (a total minus its visible parts), checked exactly.
* :func:`recoverable_cells` – that check: which hidden cells the published equations determine.
* :func:`check_demographic_crossing` – never more than two demographic variables in one cell.
* :func:`mask_pii` – masks dossier codes, phone numbers, e-mail addresses and ID numbers
  (CMND 9 digits, CCCD 12 digits) in open-text answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import lsqr

from ._result import Result, as_count_array, opt_float
from .proportions import _counts_pair, wilson_bounds

MIN_N_PERCENT = 30
MAX_HALF_WIDTH = 0.10
MIN_EXPORT_CELL = 5
MAX_DEMOGRAPHICS = 2


@dataclass(frozen=True, slots=True)
class CellDisplay(Result):
    """What a table cell may show; ``share`` is ``None`` when the percentage is withheld."""

    k: int
    n: int
    share: float | None
    show_percentage: bool
    small_n: bool
    half_width: float | None
    wide_interval: bool


def cell_display(
    k: int, n: int, *, min_n: int = MIN_N_PERCENT, max_half_width: float = MAX_HALF_WIDTH
) -> CellDisplay:
    k_arr, n_arr = _counts_pair(k, n)
    if k_arr.ndim:
        raise ValueError("cell_display takes scalars")
    kk, nn = int(k_arr), int(n_arr)
    low, high = wilson_bounds(k_arr, n_arr)
    half = opt_float((high - low) / 2.0) if nn else None
    small = nn < min_n
    return CellDisplay(
        kk, nn, None if small else kk / nn, not small, small, half,
        half is not None and half > max_half_width,
    )


@dataclass(frozen=True, slots=True)
class SuppressionResult(Result):
    """``values`` is the table with suppressed cells as ``None`` (nan-free, JSON-ready)."""

    suppressed: np.ndarray
    values: tuple[tuple[int | None, ...], ...]
    n_primary: int
    n_secondary: int


def _secondary(counts: np.ndarray, mask: np.ndarray) -> np.ndarray:
    mask = mask.copy()
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            view_c = counts if axis == 0 else counts.T
            view_m = mask if axis == 0 else mask.T
            for i in range(view_c.shape[0]):
                row_m = view_m[i]
                if row_m.sum() == 1 and row_m.size > 1:
                    # Hide the smallest other cell so the lone one cannot be recovered.
                    candidates = np.where(~row_m, view_c[i], np.iinfo(np.int64).max)
                    view_m[i, int(np.argmin(candidates))] = True
                    changed = True
    return mask


def suppress_small_cells(
    counts: Any, min_count: int = MIN_EXPORT_CELL, *, secondary: bool = True
) -> SuppressionResult:
    """Suppression mask for a 1-D or 2-D table of respondent counts."""
    arr = as_count_array(counts, "counts")
    if arr.ndim not in (1, 2):
        raise ValueError("counts must be a 1-D or 2-D table")
    table = arr.reshape(1, -1) if arr.ndim == 1 else arr
    primary = table < min_count
    mask = _secondary(table, primary) if secondary else primary
    values = tuple(
        tuple(None if m else int(v) for v, m in zip(row, mrow, strict=True))
        for row, mrow in zip(table, mask, strict=True)
    )
    return SuppressionResult(
        mask.reshape(arr.shape), values, int(primary.sum()), int(mask.sum() - primary.sum())
    )


# --- complementary suppression of published reports ----------------------------------------

FREE, VISIBLE, HIDDEN = -1, 0, 1
# Unknowns in one connected block solved exactly; a larger block is checked by projecting
# random vectors on the null space with LSQR (sparse, iterative).
DENSE_LIMIT = 1500


@dataclass(frozen=True, slots=True)
class ComplementaryResult(Result):
    """``hidden`` per cell; ``primary`` the free cells under the threshold; ``unprotected``
    hidden cells whose result the published cells still determine (empty unless cells fixed
    by the caller leave no way to protect them)."""

    hidden: np.ndarray
    primary: np.ndarray
    n_secondary: int
    unprotected: tuple[int, ...]


def _constraints(totals: Any, size: int) -> list[tuple[int, ...]]:
    """(total, *parts) index tuples, validated: cell total = sum of the parts' cells."""
    out = []
    for entry in totals:
        try:
            total, parts = entry
            members = (int(total), *(int(p) for p in parts))
        except (TypeError, ValueError) as exc:
            raise TypeError("each total must be a pair (total_index, part_indices)") from exc
        if any(not 0 <= m < size for m in members):
            raise ValueError("a total names a cell outside the table")
        if len(set(members)) != len(members):
            raise ValueError("a cell appears twice in one total")
        out.append(members)
    return out


_PRIME = 2_147_483_647  # 2^31 - 1: a product of two residues fits in an int64


def _exact_in_row_space(matrix) -> np.ndarray:
    """Reduced row echelon form modulo a large prime: exact integer arithmetic, so no
    tolerance decides what is "determined" (and no threaded BLAS call, which stalls on a
    busy machine). e_j lies in the row space iff column j is a pivot whose row has no other
    non-zero entry. The rank modulo the prime equals the rational rank unless the prime
    divides every maximal minor, which integer matrices of ±1 make vanishingly unlikely."""
    a = np.asarray(matrix.toarray(), dtype=np.int64) % _PRIME
    rows, cols = a.shape
    pivots: list[int] = []
    for col in range(cols):
        top = len(pivots)
        if top == rows:
            break
        found = np.flatnonzero(a[top:, col])
        if not found.size:
            continue
        if found[0]:
            a[[top, top + found[0]]] = a[[top + found[0], top]]
        a[top] = a[top] * pow(int(a[top, col]), _PRIME - 2, _PRIME) % _PRIME
        others = np.flatnonzero(a[:, col])
        others = others[others != top]
        if others.size:
            a[others] = (a[others] - a[others, col][:, None] * a[top]) % _PRIME
        pivots.append(col)
    out = np.zeros(cols, dtype=bool)
    singles = (a[:len(pivots)] != 0).sum(axis=1) == 1
    out[np.array(pivots, dtype=np.int64)[singles]] = True
    return out


def _in_row_space(matrix, dense_limit: int) -> np.ndarray:
    """Per column j: whether the unit vector e_j lies in the row space of `matrix`, i.e.
    whether unknown j is determined by the equations."""
    rows, cols = matrix.shape
    if cols <= dense_limit:
        return _exact_in_row_space(matrix)
    # z = r - A'y with y the least-squares solution of A'y = r is r projected on the null
    # space: zero exactly at the determined unknowns, almost surely not elsewhere.
    rng = np.random.default_rng(0)
    transposed = sparse.csr_matrix(matrix.T)
    determined = np.ones(cols, dtype=bool)
    for _ in range(2):
        r = rng.standard_normal(cols)
        y, istop = lsqr(transposed, r, atol=1e-14, btol=1e-14, iter_lim=50 * cols)[:2]
        if istop not in (0, 1, 2, 4, 5):  # not converged: the exact way, however slow
            return _exact_in_row_space(matrix)
        determined &= np.abs(r - transposed @ y) < 1e-6 * np.abs(r).max()
    return determined


def _determined(n: np.ndarray, cons: list, hidden: np.ndarray, dense_limit: int) -> np.ndarray:
    ids = np.flatnonzero(hidden & (n > 0))  # a hidden cell with n = 0 has k = 0: known
    index = np.full(n.size, -1, dtype=np.int64)
    index[ids] = np.arange(ids.size)
    rows = [[(index[m], 1.0 if i == 0 else -1.0) for i, m in enumerate(members) if index[m] >= 0]
            for members in cons]
    rows = [r for r in rows if r]
    parent = list(range(ids.size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in rows:
        root = find(row[0][0])
        for col, _ in row[1:]:
            other = find(col)
            if other != root:
                parent[other] = root
    blocks: dict[int, list] = {}
    for row in rows:  # independent blocks of unknowns are solved apart
        blocks.setdefault(find(row[0][0]), []).append(row)
    out = np.zeros(n.size, dtype=bool)
    for block in blocks.values():
        columns = sorted({col for row in block for col, _ in row})
        local = {col: j for j, col in enumerate(columns)}
        data, r_idx, c_idx = [], [], []
        for i, row in enumerate(block):
            for col, coefficient in row:
                r_idx.append(i)
                c_idx.append(local[col])
                data.append(coefficient)
        matrix = sparse.csr_matrix((data, (r_idx, c_idx)), shape=(len(block), len(columns)))
        out[ids[np.array(columns)[_in_row_space(matrix, dense_limit)]]] = True
    return out


def recoverable_cells(n: Any, totals: Any, hidden: Any, *, dense_limit: int = DENSE_LIMIT):
    """Hidden cells whose satisfied count follows from the published cells by linear
    differencing: the cell's unit vector lies in the row space of the equations
    ``total = sum(parts)`` restricted to the unknown (hidden, n > 0) cells."""
    n_arr = as_count_array(n, "n", ndim=1)
    mask = np.asarray(hidden, dtype=bool)
    if mask.shape != n_arr.shape:
        raise ValueError("hidden must have one flag per cell")
    return _determined(n_arr, _constraints(totals, n_arr.size), mask, dense_limit)


def _smallest(n: np.ndarray, cells, allowed: np.ndarray) -> int | None:
    options = [int(c) for c in cells if allowed[c]]
    return min(options, key=lambda c: (n[c], c)) if options else None


def _local_rule(n: np.ndarray, cons: list, usable: np.ndarray, hidden: np.ndarray) -> None:
    """No total may have exactly one hidden member that hides anything: hide the smallest
    visible part as well (the total itself when it is the only free member left)."""
    changed = True
    while changed:
        changed = False
        for members in cons:
            if sum(1 for m in members if hidden[m] and n[m] > 0) != 1:
                continue
            pick = _smallest(n, members[1:], usable & ~hidden)
            if pick is None:
                pick = _smallest(n, members[:1], usable & ~hidden)
            if pick is not None:
                hidden[pick] = changed = True


def _widened(n, cons, by_cell, start, hidden, allowed) -> int | None:
    """The smallest allowed cell in any total that reaches `start` through hidden cells."""
    seen, queue, found = {start}, [start], []
    while queue:
        cell = queue.pop()
        for c in by_cell[cell]:
            for m in cons[c]:
                if allowed[m]:
                    found.append(m)
                elif hidden[m] and m not in seen:
                    seen.add(m)
                    queue.append(m)
    return _smallest(n, found, allowed)


def _protect(n, cons, free, primary, hidden, dense_limit) -> np.ndarray:
    usable = free & (n > 0)  # a cell with n = 0 hides nothing: its k is known to be 0
    by_cell: list[list[int]] = [[] for _ in range(n.size)]
    for c, members in enumerate(cons):
        for m in members:
            by_cell[m].append(c)
    while True:
        _local_rule(n, cons, usable, hidden)
        determined = _determined(n, cons, hidden, dense_limit)
        if not determined.any():
            return determined
        progress, touched = False, set()
        for cell in np.flatnonzero(determined):
            if touched.intersection(by_cell[cell]):
                continue  # a complement was just added beside it; check again first
            allowed = usable & ~hidden
            pick = _smallest(n, (m for c in by_cell[cell] for m in cons[c]), allowed)
            if pick is None:
                pick = _widened(n, cons, by_cell, int(cell), hidden, allowed)
            if pick is not None:
                hidden[pick] = progress = True
                touched.update(by_cell[cell])
            elif free[cell] and not primary[cell]:
                # A complement that nothing can shield protects nothing and, being
                # determined, reveals nothing: show it, and never pick it again.
                hidden[cell] = usable[cell] = False
                progress = True
        if not progress:
            return determined


def complementary_suppression(
    n: Any, totals: Any, *, min_n: int = MIN_N_PERCENT, fixed: Any = None,
    complementary: bool = True, dense_limit: int = DENSE_LIMIT,
) -> ComplementaryResult:
    """Which cells of a set of published tables to hide (METHODOLOGY §6).

    ``n`` holds each cell's respondents; ``totals`` pairs (total, parts) of cell indices say
    which cells add up to which (a table's total and its rows, a district and its communes,
    a year and its units...). Free cells under ``min_n`` are hidden (primary suppression).
    Then, unless ``complementary`` is off, further cells are hidden, smallest first, until
    no hidden cell's count follows from the visible ones by linear differencing: first the
    local rule (no total with exactly one hidden member), then an exact check of the whole
    system, which also catches what only several totals together reveal. ``fixed`` gives
    cells already decided elsewhere (``FREE`` -1, ``VISIBLE`` 0, ``HIDDEN`` 1), such as the
    totals of a coarser table already published; they are never changed.
    """
    n_arr = as_count_array(n, "n", ndim=1)
    cons = _constraints(totals, n_arr.size)
    if fixed is None:
        status = np.full(n_arr.size, FREE, dtype=np.int8)
    else:
        status = np.asarray(fixed, dtype=np.int8)
        if status.shape != n_arr.shape or not np.isin(status, (FREE, VISIBLE, HIDDEN)).all():
            raise ValueError("fixed must hold -1, 0 or 1 for each cell")
    free = status == FREE
    primary = free & (n_arr < min_n)
    hidden = np.where(free, primary, status == HIDDEN)
    if complementary:
        determined = _protect(n_arr, cons, free, primary, hidden, dense_limit)
    else:
        determined = _determined(n_arr, cons, hidden, dense_limit)
    return ComplementaryResult(hidden, primary, int((hidden & ~primary & free).sum()),
                               tuple(int(i) for i in np.flatnonzero(determined)))


def check_demographic_crossing(variables: Sequence[str], max_variables: int = MAX_DEMOGRAPHICS):
    """Raise ``ValueError`` when a cell would cross more than two demographic variables."""
    if isinstance(variables, str) or not isinstance(variables, Sequence):
        raise TypeError("variables must be a sequence of variable names")
    distinct = set(variables)
    if len(distinct) > max_variables:
        raise ValueError(
            f"a cell may cross at most {max_variables} demographic variables, got "
            f"{len(distinct)}: {sorted(distinct)}"
        )


_DOSSIER = re.compile(
    r"(?<![\w.])(?:[0-9A-Z]{1,6}\.){0,5}[0-9A-Z]{1,6}-\d{6}-\d{3,6}(?!\w)", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number cannot start inside another number ("1.000.000.000 đồng" is money, not a phone).
_NUM_START = r"(?<![\d+])(?<!\d[.,])"
_PHONE = re.compile(_NUM_START + r"(?:\+84|84|0)(?:[ .\-]?\d){9,10}(?!\d)")
_ID = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def mask_pii(
    text: str,
    *,
    dossier: str = "[dossier-code]",
    phone: str = "[phone]",
    id_number: str = "[id-number]",
    email: str = "[email]",
) -> str:
    """Open text with dossier codes, phones, e-mails and CMND/CCCD numbers replaced."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    # Dossier codes first: their digit runs would otherwise look like phones or IDs.
    text = _DOSSIER.sub(dossier, text)
    text = _EMAIL.sub(email, text)
    text = _PHONE.sub(phone, text)
    return _ID.sub(id_number, text)
