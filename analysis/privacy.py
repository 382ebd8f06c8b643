"""Small cells and privacy (docs/METHODOLOGY.md §6).

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

from ._result import Result, as_count_array, opt_float
from ._span import determined, determined_members
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
# random vectors on the null space with LSQR (sparse, iterative). See _span.py.
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


def recoverable_cells(n: Any, totals: Any, hidden: Any, *, members: Any = None,
                      dense_limit: int = DENSE_LIMIT):
    """Hidden cells whose satisfied count follows from the published cells by linear
    differencing: the cell's unit vector lies in the row space of the equations
    ``total = sum(parts)`` restricted to the unknown (hidden, n > 0) cells; or, given
    ``members`` (the base units each cell adds up), the cell's units lie in the span of the
    visible cells' units."""
    n_arr = as_count_array(n, "n", ndim=1)
    mask = np.asarray(hidden, dtype=bool)
    if mask.shape != n_arr.shape:
        raise ValueError("hidden must have one flag per cell")
    return _audit(n_arr, _constraints(totals, n_arr.size), _members(members, n_arr.size),
                  dense_limit)(mask)


def _members(members: Any, size: int):
    """The cells x base units incidence matrix (CSR), or None."""
    if members is None:
        return None
    if sparse.issparse(members):
        matrix = sparse.csr_matrix(members, dtype=np.int64)
    else:
        lists = [list(m) for m in members]
        if any(not isinstance(u, int | np.integer) or u < 0 for m in lists for u in m):
            raise ValueError("members must list non-negative base unit indices")
        units = max((max(m) for m in lists if m), default=-1) + 1
        matrix = sparse.csr_matrix(
            (np.ones(sum(map(len, lists)), dtype=np.int64),
             ([i for i, m in enumerate(lists) for _ in m], [u for m in lists for u in m])),
            shape=(len(lists), units))
    if matrix.shape[0] != size:
        raise ValueError("members must give the base units of each cell")
    return matrix


def _audit(n, cons, members, dense_limit):
    if members is None:
        return lambda hidden: determined(n, cons, hidden, dense_limit)
    return lambda hidden: determined_members(n, members, hidden, dense_limit)


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


def _sharing(members, cell: int, allowed: np.ndarray, n: np.ndarray) -> int | None:
    """The smallest allowed cell that shares base units with `cell` (no total binds them,
    yet hiding it may be what keeps `cell` from being worked out)."""
    if members is None:
        return None
    overlap = np.asarray((members @ members[cell].T).todense()).ravel() > 0
    return _smallest(n, np.flatnonzero(overlap & allowed), allowed)


def _protect(n, cons, free, primary, hidden, audit, members=None) -> np.ndarray:
    usable = free & (n > 0)  # a cell with n = 0 hides nothing: its k is known to be 0
    # A cell the fixed visible cells give whatever else is hidden is public already: it
    # can never shield anything.
    usable &= ~audit(free | hidden)
    by_cell: list[list[int]] = [[] for _ in range(n.size)]
    for c, total_and_parts in enumerate(cons):
        for m in total_and_parts:
            by_cell[m].append(c)
    while True:
        _local_rule(n, cons, usable, hidden)
        determined = audit(hidden)
        progress, touched = False, set()
        for cell in np.flatnonzero(determined):
            if touched.intersection(by_cell[cell]):
                continue  # a complement was just added beside it; check again first
            allowed = usable & ~hidden
            pick = _smallest(n, (m for c in by_cell[cell] for m in cons[c]), allowed)
            if pick is None:
                pick = _widened(n, cons, by_cell, int(cell), hidden, allowed)
            if pick is None:
                pick = _sharing(members, int(cell), allowed, n)
            if pick is not None:
                hidden[pick] = progress = True
                touched.update(by_cell[cell])
        if not progress:
            break
    # A complement the others still give away shields nothing and reveals nothing: show it
    # (showing what the shown cells determine leaves what they determine unchanged).
    useless = determined & free & ~primary
    hidden[useless] = False
    return determined & ~useless


def complementary_suppression(
    n: Any, totals: Any, *, min_n: int = MIN_N_PERCENT, fixed: Any = None,
    complementary: bool = True, members: Any = None, dense_limit: int = DENSE_LIMIT,
) -> ComplementaryResult:
    """Which cells of a set of published tables to hide (docs/METHODOLOGY.md §6).

    ``n`` holds each cell's respondents; ``totals`` pairs (total, parts) of cell indices say
    which cells add up to which (a table's total and its rows, a district and its communes,
    a year and its units...). Free cells under ``min_n`` are hidden (primary suppression).
    Then, unless ``complementary`` is off, further cells are hidden, smallest first, until
    no hidden cell's count follows from the visible ones by linear differencing: first the
    local rule (no total with exactly one hidden member), then an exact check of the whole
    system, which also catches what only several totals together reveal. ``fixed`` gives
    cells already decided elsewhere (``FREE`` -1, ``VISIBLE`` 0, ``HIDDEN`` 1), such as the
    totals of a coarser table already published; they are never changed. ``members``, when
    given, lists the base units each cell adds up (tables that are not totals of each other
    but share units, such as procedures and the units that handle them): the exact check
    then solves for the units, which sees every relation between the cells.
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
    if not hidden.any():  # nothing hidden, nothing to recover: the usual case at scale
        return ComplementaryResult(hidden, primary, 0, ())
    matrix = _members(members, n_arr.size)
    audit = _audit(n_arr, cons, matrix, dense_limit)
    determined = (_protect(n_arr, cons, free, primary, hidden, audit, matrix) if complementary
                  else audit(hidden))
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
