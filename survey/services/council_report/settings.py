"""Who issues the report: the office, its superior, the place, the number and the signer.

Each comes from the configuration (REPORT_* settings) or, when unset, from the root unit's
name: "Tỉnh Sơn Thủy" gives "ỦY BAN NHÂN DÂN TỈNH SƠN THỦY" issuing at "Sơn Thủy".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

PREFIXES = ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố ")
KEYS = ("REPORT_ISSUER", "REPORT_PARENT_ISSUER", "REPORT_PLACE", "REPORT_NUMBER",
        "REPORT_SYMBOL", "REPORT_SIGNER_AUTHORITY", "REPORT_SIGNER_POSITION",
        "REPORT_SIGNER_NAME", "REPORT_RECIPIENTS")


@dataclass(frozen=True)
class Settings:
    issuer: str
    parent_issuer: str = ""
    place: str = ""
    number: str = ""  # empty: a blank the office fills in before signing
    symbol: str = "BC-UBND"
    signer_authority: str = ""
    signer_position: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # empty: the People's Council's usual list
    city: bool = False  # a centrally-run city ("thành phố") rather than a province


def _plain(name: str) -> str:
    """"Tỉnh Sơn Thủy (dữ liệu minh họa)" → "Tỉnh Sơn Thủy": a bracketed remark is no part
    of an office's name."""
    return re.sub(r"\s*\([^)]*\)\s*", " ", name or "").strip()


def place_of(name: str) -> str:
    plain = _plain(name)
    for prefix in PREFIXES:
        if plain.startswith(prefix):
            return plain[len(prefix):]
    return plain


def from_config(config: Mapping, root_vi: str, root_en: str = "", lang: str = "vi") -> Settings:
    """Settings from REPORT_* values, the rest derived from the root unit's name."""
    get = {k: str(config.get(k) or "").strip() for k in KEYS}
    plain = _plain(root_vi) or "Tỉnh"
    place = get["REPORT_PLACE"] or place_of(root_vi)
    if lang == "en":
        issuer = get["REPORT_ISSUER"] or (
            f"PEOPLE'S COMMITTEE OF {_plain(root_en).upper()}" if root_en
            else f"ỦY BAN NHÂN DÂN {plain.upper()}")
    else:
        issuer = get["REPORT_ISSUER"] or f"ỦY BAN NHÂN DÂN {plain.upper()}"
    recipients = tuple(line.strip() for line in get["REPORT_RECIPIENTS"].split("|")
                       if line.strip())
    return Settings(issuer=issuer, parent_issuer=get["REPORT_PARENT_ISSUER"], place=place,
                    number=get["REPORT_NUMBER"], symbol=get["REPORT_SYMBOL"] or "BC-UBND",
                    signer_authority=get["REPORT_SIGNER_AUTHORITY"],
                    signer_position=get["REPORT_SIGNER_POSITION"],
                    signer_name=get["REPORT_SIGNER_NAME"], recipients=recipients,
                    city=plain.lower().startswith("thành phố"))
