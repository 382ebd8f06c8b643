"""Open-text answers, newest first, masked, and searchable with or without diacritics.

Masking happens before searching: a phone number typed into the search box must not find the
comment that contains it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import analysis
from survey.extensions import db
from survey.models import (
    Answer,
    Response,
    Unit,
    VersionItem,
)
from survey.services.reporting.cells import References, answers_in_scope
from survey.services.reporting.scope import Scope

CHUNK = 500


@dataclass(frozen=True, slots=True)
class Comment:
    submitted_at: object
    unit: str
    item: str
    text: str


def fold(text: str) -> str:
    """Lower case without diacritics; đ is a letter of its own in Unicode, so fold it by hand."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def comments(scope: Scope, query: str = "", page: int = 1, per_page: int = 25,
             refs: References | None = None) -> tuple[list[Comment], bool]:
    """One page of comments and whether there is a next page."""
    refs = refs or References.load()
    wanted = fold(query.strip())
    skip, found = (page - 1) * per_page, []
    base = (
        answers_in_scope(scope, refs, scope.stream, Response.submitted_at, Response.id,
                         Unit.code, Answer.item_code, Answer.value_text)
        .join(Unit, Unit.id == Response.unit_id)
        .where(VersionItem.item_type == "text", Answer.value_text.is_not(None))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    )
    offset = 0
    while True:
        batch = db.session.execute(base.offset(offset).limit(CHUNK)).all()
        for at, _rid, unit, item, text in batch:
            masked = analysis.mask_pii(text)
            if wanted and wanted not in fold(masked):
                continue
            if skip:
                skip -= 1
                continue
            if len(found) == per_page:
                return found, True
            found.append(Comment(at, unit, item, masked))
        if len(batch) < CHUNK:
            return found, False
        offset += CHUNK
