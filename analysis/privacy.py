"""Small cells and privacy (METHODOLOGY §6).

* :func:`cell_display` – n is always shown; below n = 30 the percentage is withheld
  ("n nhỏ / small n"); a Wilson half-width over 10 points is flagged.
* :func:`suppress_small_cells` – export rule: cells under 5 respondents in a table crossed with
  demographics are suppressed (zero included, as the rule says "under 5"). By default it also
  applies secondary suppression, because a lone suppressed cell in a row or column is recovered
  by subtracting the others from the published margin.
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
