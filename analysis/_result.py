"""Shared plumbing: JSON-safe ``to_dict`` for result dataclasses and input validation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """Convert *value* to JSON-safe built-in types; non-finite floats become ``None``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray | list | tuple):
        return [plain(v) for v in value]
    raise TypeError(f"cannot convert {type(value).__name__} to a JSON-safe value")


class Result:
    """Mixin for frozen, slotted result dataclasses."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Fields as plain Python types (float/int/bool/str/None, lists, dicts)."""
        return plain(self)


def opt_float(x: Any) -> float | None:
    """A finite float, or ``None`` for nan/None (the package's "undefined" convention)."""
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating):
        raise TypeError("confidence must be a number")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")
    return float(confidence)


def check_probability(p: float, name: str, *, open_interval: bool = True) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a number")
    p = float(p)
    ok = 0.0 < p < 1.0 if open_interval else 0.0 <= p <= 1.0
    if not ok:
        bounds = "(0, 1)" if open_interval else "[0, 1]"
        raise ValueError(f"{name} must lie in {bounds}, got {p}")
    return p


def as_count_array(values: Any, name: str, *, ndim: int | None = None) -> np.ndarray:
    """Validate non-negative integer counts (integral floats accepted) as an int64 array."""
    try:
        arr = np.asarray(values)
    except Exception as exc:  # ragged input and the like
        raise TypeError(f"{name} must be array-like of counts") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must be whole numbers")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    return arr.astype(np.int64)


def as_count(value: Any, name: str) -> int:
    arr = as_count_array(value, name, ndim=0)
    return int(arr)


def as_float_array(values: Any, name: str, *, ndim: int = 1) -> np.ndarray:
    """Float array; ``None`` entries become nan (callers decide what nan means)."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be array-like of numbers")
    try:
        seq = [np.nan if v is None else v for v in values] if ndim == 1 else values
        arr = np.asarray(seq, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be array-like of numbers") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} must not contain infinities")
    return arr
