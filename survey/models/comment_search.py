"""The comment search index (issue #21): one row per open-text answer, kept by the database.

Triggers on `answer` keep `comment_search` in step with every writer (the submission routes,
the driver's fast path, the paper import, amends, the demo, deletions) without any of them
knowing: a writer that forgot would leave a comment unfindable. The text itself is masked
before it is stored (`responses.prepare`), so what is indexed holds no personal data either.

`body` is the text made searchable. "đ" is a letter of its own in Unicode, not "d" with a
mark, so neither SQLite's unicode61 tokenizer nor PostgreSQL's unaccent folds it: it becomes
"d" here, on both engines, as the query does (`survey/services/reporting/comments.py`).

- SQLite: an FTS5 table over `body` (external content, rowid = comment_search.id, which is an
  INTEGER PRIMARY KEY and so survives VACUUM, unlike the rowids of `answer`), tokenizer
  unicode61 with remove_diacritics 2; `body` keeps the other marks, the tokenizer drops them.
- PostgreSQL: `body` is folded in full by `hl_fold` (an immutable wrapper of unaccent, which an
  index expression may use) and a GIN index over its 'simple' tsvector answers the match.

Statement-level triggers on PostgreSQL (transition tables): one call per INSERT, not one per
answer row, so a submission's or a paper batch's answers cost one query here.

The migration (0018) holds a frozen copy of these statements; `tests/survey/test_comment_search.py`
checks that both schemas find the same comments.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime

FTS_TABLE = "comment_fts"


class CommentSearch(Base):
    """An open-text answer as the search reads it; written only by the triggers below."""

    __tablename__ = "comment_search"
    __table_args__ = (
        UniqueConstraint("response_id", "item_code"),
        # newest first without sorting, for browsing and for keyset pages
        Index("ix_comment_search_newest", "submitted_at", "response_id", "item_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(63))
    # the response's, copied so the newest comments are read from one index
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)


# The answer rows that are comments: a text item of the response's version.
_TEXT_ITEM = ("FROM response r JOIN version_item vi ON vi.version_id = r.version_id "
              "AND vi.code = {row}.item_code WHERE r.id = {row}.response_id "
              "AND vi.item_type = 'text' AND {row}.value_text IS NOT NULL")

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, content='comment_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER comment_search_fts_insert AFTER INSERT ON comment_search BEGIN
        INSERT INTO {FTS_TABLE} (rowid, body) VALUES (new.id, new.body); END""",
    f"""CREATE TRIGGER comment_search_fts_delete AFTER DELETE ON comment_search BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body);
        END""",
    f"""CREATE TRIGGER comment_search_answer_insert AFTER INSERT ON answer
        WHEN new.value_text IS NOT NULL BEGIN
        INSERT INTO comment_search (response_id, item_code, submitted_at, body)
        SELECT r.id, new.item_code, r.submitted_at,
               replace(replace(new.value_text, 'đ', 'd'), 'Đ', 'D') {_TEXT_ITEM.format(row='new')};
        END""",
    """CREATE TRIGGER comment_search_answer_delete AFTER DELETE ON answer
        WHEN old.value_text IS NOT NULL BEGIN
        DELETE FROM comment_search WHERE response_id = old.response_id
            AND item_code = old.item_code; END""",
    f"""CREATE TRIGGER comment_search_answer_update AFTER UPDATE OF value_text ON answer BEGIN
        DELETE FROM comment_search WHERE response_id = old.response_id
            AND item_code = old.item_code;
        INSERT INTO comment_search (response_id, item_code, submitted_at, body)
        SELECT r.id, new.item_code, r.submitted_at,
               replace(replace(new.value_text, 'đ', 'd'), 'Đ', 'D') {_TEXT_ITEM.format(row='new')};
        END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS comment_search_answer_update",
    "DROP TRIGGER IF EXISTS comment_search_answer_delete",
    "DROP TRIGGER IF EXISTS comment_search_answer_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

_PG_INSERT = ("INSERT INTO comment_search (response_id, item_code, submitted_at, body) "
              "SELECT r.id, n.item_code, r.submitted_at, hl_fold(n.value_text) FROM new_rows n "
              "JOIN response r ON r.id = n.response_id JOIN version_item vi ON "
              "vi.version_id = r.version_id AND vi.code = n.item_code "
              "WHERE vi.item_type = 'text' AND n.value_text IS NOT NULL;")
_PG_DELETE = ("DELETE FROM comment_search c USING old_rows o WHERE o.value_text IS NOT NULL "
              "AND c.response_id = o.response_id AND c.item_code = o.item_code;")

POSTGRES_CREATE = (
    # trusted since PostgreSQL 13: the database's owner may create it
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (it reads its dictionary by name): an index may use only an
    # IMMUTABLE function, so the dictionary is named outright in this wrapper
    """CREATE OR REPLACE FUNCTION hl_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
        PARALLEL SAFE AS
        $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                                        translate($1, 'đĐ', 'dD'))) $$""",
    "CREATE INDEX ix_comment_search_body ON comment_search "
    "USING gin (to_tsvector('simple'::regconfig, body))",
    f"""CREATE OR REPLACE FUNCTION comment_search_inserted() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN {_PG_INSERT} RETURN NULL; END $$""",
    f"""CREATE OR REPLACE FUNCTION comment_search_deleted() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN {_PG_DELETE} RETURN NULL; END $$""",
    f"""CREATE OR REPLACE FUNCTION comment_search_updated() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN {_PG_DELETE} {_PG_INSERT} RETURN NULL; END $$""",
    "CREATE TRIGGER comment_search_inserted AFTER INSERT ON answer REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION comment_search_inserted()",
    "CREATE TRIGGER comment_search_deleted AFTER DELETE ON answer REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION comment_search_deleted()",
    "CREATE TRIGGER comment_search_updated AFTER UPDATE ON answer REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "
    "comment_search_updated()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS comment_search_updated ON answer",
    "DROP TRIGGER IF EXISTS comment_search_deleted ON answer",
    "DROP TRIGGER IF EXISTS comment_search_inserted ON answer",
    "DROP FUNCTION IF EXISTS comment_search_updated()",
    "DROP FUNCTION IF EXISTS comment_search_deleted()",
    "DROP FUNCTION IF EXISTS comment_search_inserted()",
    "DROP INDEX IF EXISTS ix_comment_search_body",
    "DROP FUNCTION IF EXISTS hl_fold(text)",
)

# What the models do not describe: schema comparisons (the migrations-equal-models test,
# autogenerate) leave these alone.
UNMODELLED_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in
                                            ("data", "idx", "content", "docsize", "config"))})
UNMODELLED_INDEXES = frozenset({"ix_comment_search_body"})


def include_name(name, type_, parent_names) -> bool:
    """Alembic's `include_name` hook: skip the search objects the models do not describe."""
    if type_ == "table":
        return name not in UNMODELLED_TABLES
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return True


def _statements(dialect: str, create: bool) -> tuple[str, ...]:
    if dialect == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if dialect == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return ()


# After every table exists (the triggers are on `answer`), and before any is dropped.
@event.listens_for(Base.metadata, "after_create")
def _create_search(target, connection, tables=(), **kw) -> None:
    if CommentSearch.__table__ not in tables:  # there already (create_all checks first)
        return
    for statement in _statements(connection.dialect.name, True):
        connection.execute(DDL(statement))


@event.listens_for(Base.metadata, "before_drop")
def _drop_search(target, connection, tables=(), **kw) -> None:
    if CommentSearch.__table__ not in tables:
        return
    for statement in _statements(connection.dialect.name, False):
        connection.execute(DDL(statement))
