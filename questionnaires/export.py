"""Export: a self-contained plain dict (includes resolved), YAML text, and a content hash.

``to_dict`` omits defaults so the YAML stays readable; ``from_dict(to_dict(q)) == q`` and
``load_text(dump_yaml(q)) == q`` hold for every valid questionnaire.
"""

from __future__ import annotations

import hashlib
import json

import yaml

from .conditions import to_plain
from .model import MISSING_CODES, Item, Questionnaire, Section, Text


def text_dict(text: Text) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en} if text.en else {"vi": text.vi}


def to_dict(q: Questionnaire) -> dict[str, object]:
    """The questionnaire as JSON-safe plain data, self-contained (the database stores this)."""
    data: dict[str, object] = {"code": q.code, "kind": q.kind, "title": text_dict(q.title)}
    if q.intro is not None:
        data["intro"] = text_dict(q.intro)
    if q.service_areas:
        data["service_areas"] = list(q.service_areas)
    data["sections"] = [_section(s) for s in q.sections]
    return data


def _section(section: Section) -> dict[str, object]:
    data: dict[str, object] = {"code": section.code, "title": text_dict(section.title)}
    if section.items:
        data["items"] = [item_dict(i) for i in section.items]
    return data


def item_dict(item: Item) -> dict[str, object]:
    """One item as plain data, keys in the order an author writes them."""
    data: dict[str, object] = {"code": item.code, "type": item.type,
                               "label": text_dict(item.label)}
    if item.help is not None:
        data["help"] = text_dict(item.help)
    optional = {
        "required": item.required, "element": item.element, "overall": item.overall,
        "no_answer": _no_answer(item.missing_codes),
        "choices": [{"code": c.code, "label": text_dict(c.label)} for c in item.choices],
        "min": item.min, "max": item.max, "max_length": item.max_length,
        "show_if": to_plain(item.show_if) if item.show_if else None,
        "demographic": item.demographic, "respondent_type": item.respondent_type,
    }
    # identity tests: min 0 equals False and must still be written
    data.update((k, v) for k, v in optional.items() if v is not None and v is not False
                and v != [])
    return data


def _no_answer(codes: tuple[int, ...]) -> bool | list[int]:
    return True if codes == MISSING_CODES else list(codes)


def dump_yaml(q: Questionnaire) -> str:
    """YAML text (Vietnamese kept readable) that loads back to an equal questionnaire."""
    return yaml.safe_dump(to_dict(q), allow_unicode=True, sort_keys=False, width=100)


def canonical_json(q: Questionnaire) -> str:
    return json.dumps(to_dict(q), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(q: Questionnaire) -> str:
    """sha256 (hex) of the canonical JSON: equal content, equal hash, whatever the source."""
    return hashlib.sha256(canonical_json(q).encode("utf-8")).hexdigest()
