"""The comments page in the two views (#19, #21), on the generated history across a merge, a
split and a move (tests/lineage/history.py): the database search returns, page by page, the
comments the path it replaced returned (every text answer in scope read in OFFSET order), for
a merged unit, a split's successor and a moved district as recorded."""

from __future__ import annotations

import re

import pytest

from survey.extensions import db
from survey.models import Answer, Response, Unit, VersionItem
from survey.services.reporting import Scope
from survey.services.reporting import comments as comments_service
from survey.services.reporting.cells import References, answers_in_scope
from survey.services.reporting.comments import comment_page, fold
from tests.lineage import reattributed as lr


@pytest.fixture(scope="module")
def reformed(tmp_path_factory):
    app = lr.build(tmp_path_factory.mktemp("comments") / "comments.db")
    yield app
    with app.app_context():
        db.engine.dispose()


def scanned(scope: Scope, query: str) -> list[tuple[str, str]]:
    """The reference: the scan the database search replaced (its order, its substring match
    on the folded text), every comment at once."""
    rows = db.session.execute(
        answers_in_scope(scope, References.load(), scope.stream, Unit.code, Answer.value_text)
        .join(Unit, Unit.id == Response.unit_id)
        .where(VersionItem.item_type == "text", Answer.value_text.is_not(None))
        .order_by(Response.submitted_at.desc(), Response.id.desc())).all()
    return [(unit, text) for unit, text in rows if fold(query) in fold(text)]


def paged(scope: Scope, query: str, per_page: int) -> list[tuple[str, str]]:
    out, key = [], None
    while True:
        page = comment_page(scope, query, after=key, per_page=per_page)
        out += [(c.unit, c.text) for c in page.comments]
        if page.older is None:
            return out
        assert len(page.comments) == per_page  # only the last page is short
        key = page.older


SCOPES = [Scope(unit="RP-AB"), Scope(unit="RP-E1"), Scope(unit="RP-D2", view="recorded"),
          Scope(unit="RP-E1", year_to=2024), Scope()]


@pytest.mark.parametrize("chunks", [None, (1, 4)], ids=["chunks", "tiny chunks"])
@pytest.mark.parametrize("scope", SCOPES, ids=range(len(SCOPES)))
def test_comments_follow_the_lineage(reformed, scope, chunks, monkeypatch):
    if chunks:  # the page read over many chunks, as a narrow scope at scale reads it
        monkeypatch.setattr(comments_service, "FIRST_CHUNK", chunks[0])
        monkeypatch.setattr(comments_service, "LAST_CHUNK", chunks[1])
    with reformed.app_context():
        everything = scanned(scope, "")
        assert everything and paged(scope, "", 7) == everything
        # every word of the query begins a word of the comment, marks or not ("cho" finds
        # "chờ" and "chỗ")
        assert paged(scope, "cho", 5) == [
            (u, t) for u, t in everything
            if any(w.startswith("cho") for w in re.findall(r"[^\W_]+", fold(t)))]


def test_a_merged_unit_shows_its_predecessors_comments_today_only(reformed):
    with reformed.app_context():
        today = {u for u, _t in paged(Scope(unit="RP-AB"), "", 50)}
        recorded = {u for u, _t in paged(Scope(unit="RP-AB", view="recorded"), "", 50)}
    assert today == {"RP-A", "RP-B", "RP-AB"} and recorded == {"RP-AB"}
