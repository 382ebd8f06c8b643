"""Open-text answers, newest first, searchable with or without diacritics (issue #21).

The text was masked when it was stored (`responses.prepare`): a phone number typed into the
search box finds nothing, because no stored comment holds one. The search runs in the
database over `comment_search`, which triggers keep (survey/models/comment_search.py): FTS5 on
SQLite, a GIN index over a 'simple' tsvector of the unaccented text on PostgreSQL. Every word
of the query must begin a word of the comment, in any order ("dat dai" finds "Đất đai" and
"đai đất"); pages are keyset pages (after / before a comment), never OFFSET, so the hundredth
page costs what the first does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, literal, literal_column, select, text, tuple_

from survey.extensions import db
from survey.models import Answer, Response, Unit
from survey.models.base import UTCDateTime
from survey.models.comment_search import FTS_TABLE, CommentSearch
from survey.services.reporting.cells import References, answers_in_scope
from survey.services.reporting.scope import Scope

# A query's words: letters and digits (what both engines' tokenizers keep), at most this many.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
_CURSOR = re.compile(r"(\d{20})-(\d{1,18})-(\S{1,63})")


@dataclass(frozen=True, slots=True)
class Comment:
    submitted_at: datetime
    unit: str
    item: str
    text: str
    key: str  # where a page starting after (or ending before) this comment begins


@dataclass(frozen=True, slots=True)
class CommentPage:
    comments: list[Comment]
    older: str | None  # the key to ask `after` for the next older page; None at the end
    newer: str | None  # the key to ask `before` for the previous newer page; None at the start


def fold(text: str) -> str:
    """Lower case without diacritics; đ is a letter of its own in Unicode, so fold it by hand."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_WORDS]


def _key(at: datetime, response_id: int, item: str) -> str:
    return f"{at.astimezone(UTC):%Y%m%d%H%M%S%f}-{response_id}-{item}"


def parse_key(raw: str | None) -> tuple[datetime, int, str] | None:
    """The position a page key names; None for a missing or malformed one (the first page)."""
    match = _CURSOR.fullmatch(raw or "")
    if not match:
        return None
    try:
        at = datetime.strptime(match[1], "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    return at, int(match[2]), match[3]


def _candidates(words: list[str]):
    """The comments matching every word (all of them without words), as a FROM with the
    columns id, submitted_at, response_id and item_code."""
    if not words:
        return CommentSearch.__table__
    columns = (CommentSearch.id, *_ORDER)
    if db.engine.dialect.name == "postgresql":
        # hl_fold on the query too: the same folding as the stored body, whatever the letter
        tsquery = " & ".join(f"{w}:*" for w in words)
        simple = literal_column("'simple'::regconfig")
        # The matches first, through the GIN index, with their keys (read from the rows the
        # index found, not looked up again), then the page among them: left to choose, the
        # planner guesses 2 % of the comments match and walks them newest first, building
        # every one's tsvector again until the page is full (seconds when nothing matches).
        return (select(*columns)
                .where(func.to_tsvector(simple, CommentSearch.body).op("@@")(
                    func.to_tsquery(simple, func.hl_fold(literal(tsquery)))))
                .cte("matched").prefix_with("MATERIALIZED"))
    # FTS5: each word a quoted prefix query; the tokenizer removes the other diacritics
    fts_query = " ".join(f'"{w}"*' for w in words)
    return (select(*columns).where(CommentSearch.id.in_(
        select(literal_column("rowid")).select_from(text(FTS_TABLE))
        .where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=fts_query))))
        .subquery("matched"))


_ORDER = (CommentSearch.submitted_at, CommentSearch.response_id, CommentSearch.item_code)


def _beyond(order, position: tuple[datetime, int, str], backwards: bool):
    """The rows after `position` in the page order (before it, going back)."""
    at, response_id, item = position
    mark = tuple_(literal(at, UTCDateTime()), literal(response_id), literal(item))
    return tuple_(*order) > mark if backwards else tuple_(*order) < mark


FIRST_CHUNK, LAST_CHUNK = 1024, 16384


def _page_ids(in_scope, words: list[str], position, backwards: bool, wanted: int) -> list[int]:
    """The ids of the page's comments, in page order: the next comments in that order that
    match the words, a chunk at a time (newest first from ix_comment_search_newest, or from
    the words' matches), each kept if its answer is `in_scope` (an EXISTS per comment of the
    chunk); chunks grow four-fold while the scope keeps too few of them.

    Ordering first and checking the scope after is what keeps a page cheap. As one join,
    SQLite's planner (it has no statistics) starts from the response table, any index there
    looking selective, and sorts every comment in scope for one page; PostgreSQL's checks the
    scope of every match before it sorts them (16,000 of 200,000 comments for "dat dai").
    """
    source = _candidates(words)
    order = (source.c.submitted_at, source.c.response_id, source.c.item_code)
    direction = [c.asc() if backwards else c.desc() for c in order]
    found, chunk = [], FIRST_CHUNK
    while True:
        keys = select(source.c.id, *order).order_by(*direction).limit(chunk)
        if position is not None:
            keys = keys.where(_beyond(order, position, backwards))
        candidates = db.session.execute(keys).all()
        if candidates:
            found += db.session.execute(
                select(CommentSearch.id).where(
                    CommentSearch.id.in_([row[0] for row in candidates]), in_scope)
                .order_by(*(c.asc() if backwards else c.desc() for c in _ORDER))
                .limit(wanted - len(found))).scalars().all()
        if len(found) >= wanted or len(candidates) < chunk:
            return found
        position, chunk = tuple(candidates[-1][1:]), min(chunk * 4, LAST_CHUNK)


def comment_page(scope: Scope, query: str = "", *, after: str | None = None,
                 before: str | None = None, per_page: int = 25,
                 refs: References | None = None) -> CommentPage:
    """One page of comments in `scope` matching `query`, newest first: the first page, the
    page after the comment `after` names, or the page before the one `before` names."""
    refs = refs or References.load()
    words = query_words(query)
    if query.strip() and not words:  # only punctuation: nothing can match it
        return CommentPage([], None, None)
    position = parse_key(before) or parse_key(after)
    backwards = position is not None and parse_key(before) is not None
    in_scope = answers_in_scope(scope, refs, scope.stream, literal(1)).where(
        Answer.response_id == CommentSearch.response_id,
        Answer.item_code == CommentSearch.item_code).exists()
    ids = _page_ids(in_scope, words, position, backwards, per_page + 1)
    more = len(ids) > per_page
    ids = ids[:per_page]
    # then what the page shows of them, by their keys
    rows = db.session.execute(
        select(*_ORDER, Unit.code, Answer.value_text).select_from(CommentSearch)
        .join(Answer, and_(Answer.response_id == CommentSearch.response_id,
                           Answer.item_code == CommentSearch.item_code))
        .join(Response, Response.id == CommentSearch.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .where(CommentSearch.id.in_(ids)).order_by(*(c.desc() for c in _ORDER))).all() \
        if ids else []
    found = [Comment(at, unit, item, body, _key(at, rid, item))
             for at, rid, item, unit, body in rows]
    if not found:
        return CommentPage([], None, None)
    older = found[-1].key if more or backwards else None
    newer = found[0].key if (more and backwards) or (position and not backwards) else None
    return CommentPage(found, older, newer)


def comments(scope: Scope, query: str = "", per_page: int = 25, refs: References | None = None,
             *, after: str | None = None) -> tuple[list[Comment], bool]:
    """The first page (or the page after `after`) and whether an older page follows."""
    page = comment_page(scope, query, after=after, per_page=per_page, refs=refs)
    return page.comments, page.older is not None
