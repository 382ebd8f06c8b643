"""An investigation's design: strata, allocation, minimum, stages and sample size.

`parse_design(mapping)` validates a plain mapping (from the CLI, later a form) into a frozen
`Design`, raising one `DesignError(field, message_en, message_vi)` that names the bad field;
`Design.to_json()` is what the investigation stores and `parse_design` reads back.

Size options (METHODOLOGY §5, analysis/sample_size.py):
* ``fixed``: n given;
* ``margin``: n for a share to ±margin at a confidence, with p and the design effect, and the
  frame's N as the finite population (analysis.sample_size_proportion);
* ``sipas``: the Ministry's SIPAS formula n = N/(1 + N·e²), e = 0.05 unless given, rounded up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.survey_allocation import ALLOCATIONS

# What a stratum can be made of: frame columns, by their code.
STRATUM_FIELDS = ("unit", "service_area", "procedure", "applicant_type", "commune")
STAGES = ("one", "two")
SIZE_METHODS = ("fixed", "margin", "sipas")


class DesignError(ValueError):
    """A design field is missing or wrong; `field` names it."""

    def __init__(self, field: str, message: str, message_vi: str = ""):
        self.field = field
        self.message_vi = message_vi or message
        self.english = message
        super().__init__(f"{field}: {message}")

    def message(self, lang: str = "en") -> str:
        return f"{self.field}: {self.message_vi if lang == 'vi' else self.english}"


@dataclass(frozen=True, slots=True)
class Size:
    method: str = "sipas"
    n: int | None = None          # fixed
    margin: float = 0.05          # margin and sipas (e)
    p: float = 0.5                # margin
    confidence: float = 0.95      # margin
    deff: float = 1.0             # margin


@dataclass(frozen=True, slots=True)
class Design:
    strata: tuple[str, ...] = ("unit", "service_area")
    allocation: str = "proportional"
    minimum: int = 30             # every published cell reaches n >= 30 (METHODOLOGY §3)
    stages: str = "one"
    dossiers_per_psu: int = 15    # two stages: dossiers drawn in each drawn commune
    size: Size = field(default_factory=Size)
    # Neyman: last year's satisfied share per stratum key; S_h = sqrt(p(1 - p)).
    prior_shares: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = asdict(self)
        out["strata"] = list(self.strata)
        return out


def _number(raw: Any, name: str, low: float, high: float, integer: bool = False):
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise DesignError(name, "a number is expected", "cần một số")
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise DesignError(name, f"{raw!r} is not a number", f"{raw!r} không phải số") from None
    if integer and isinstance(raw, float) and not raw.is_integer():
        raise DesignError(name, f"{raw!r} is not a whole number", f"{raw!r} không phải số nguyên")
    if not low <= value <= high:
        raise DesignError(name, f"must be between {low:g} and {high:g}",
                          f"phải nằm trong khoảng {low:g} đến {high:g}")
    return value


def _choice(raw: Any, name: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        listed = ", ".join(allowed)
        raise DesignError(name, f"{raw!r} is not one of {listed}",
                          f"{raw!r} không thuộc: {listed}")
    return raw


def parse_size(raw: Any) -> Size:
    if not isinstance(raw, dict):
        raise DesignError("size", "a mapping is expected", "cần một bảng giá trị")
    method = _choice(raw.get("method", "sipas"), "size.method", SIZE_METHODS)
    if method == "fixed":
        if raw.get("n") is None:
            raise DesignError("size.n", "required for a fixed size", "bắt buộc khi cỡ mẫu cố định")
        return Size("fixed", n=_number(raw["n"], "size.n", 1, 10**8, integer=True))
    margin = _number(raw.get("margin", 0.05), "size.margin", 0.001, 0.5)
    if method == "sipas":
        return Size("sipas", margin=margin)
    return Size("margin", margin=margin,
                p=_number(raw.get("p", 0.5), "size.p", 0.01, 0.99),
                confidence=_number(raw.get("confidence", 0.95), "size.confidence", 0.5, 0.999),
                deff=_number(raw.get("deff", 1.0), "size.deff", 1.0, 20.0))


def parse_design(raw: Any) -> Design:
    """A validated Design from a plain mapping (missing keys take the defaults)."""
    if not isinstance(raw, dict):
        raise DesignError("design", "a mapping is expected", "cần một bảng giá trị")
    unknown = sorted(set(raw) - set(Design.__dataclass_fields__))
    if unknown:
        raise DesignError(unknown[0], "not a design field", "không phải trường của thiết kế")
    strata = raw.get("strata", ["unit", "service_area"])
    if isinstance(strata, str):
        strata = [s.strip() for s in strata.split(",") if s.strip()]
    if not isinstance(strata, list | tuple):
        raise DesignError("strata", "a list of fields is expected", "cần một danh sách trường")
    for name in strata:
        _choice(name, "strata", STRATUM_FIELDS)
    if len(set(strata)) != len(strata):
        raise DesignError("strata", "a field is named twice", "một trường được ghi hai lần")
    allocation = _choice(raw.get("allocation", "proportional"), "allocation", ALLOCATIONS)
    priors = raw.get("prior_shares") or {}
    if not isinstance(priors, dict):
        raise DesignError("prior_shares", "a mapping stratum -> share is expected",
                          "cần bảng tầng -> tỷ lệ")
    priors = {str(k): _number(v, f"prior_shares[{k}]", 0.0, 1.0) for k, v in priors.items()}
    if allocation == "neyman" and not priors:
        raise DesignError("prior_shares", "Neyman allocation needs last year's share per "
                          "stratum", "phân bổ Neyman cần tỷ lệ hài lòng năm trước của mỗi tầng")
    stages = _choice(raw.get("stages", "one"), "stages", STAGES)
    return Design(
        strata=tuple(strata), allocation=allocation,
        minimum=_number(raw.get("minimum", 30), "minimum", 0, 10**6, integer=True),
        stages=stages,
        dossiers_per_psu=_number(raw.get("dossiers_per_psu", 15), "dossiers_per_psu", 1,
                                 10**6, integer=True),
        size=parse_size(raw.get("size", {})) if not isinstance(raw.get("size"), Size)
        else raw["size"],
        prior_shares=priors,
    )
