"""Comment search in the database, and open text masked when stored (issue #21).

`comment_search` holds one row per open-text answer, kept by triggers on `answer`; SQLite
searches it with FTS5 (unicode61, remove_diacritics 2), PostgreSQL with a GIN index over the
'simple' tsvector of the text folded by `hl_fold` (unaccent in an immutable wrapper). "đ" is
folded to "d" by hand on both: neither folds it. survey/models/comment_search.py says why each
piece is as it is; the statements here are a frozen copy of those.

Text answers are masked from now on before they are stored (survey/services/masking.py), so
the rows already stored are masked here, in batches of BATCH answers, with the rule of this
day (`analysis.mask_pii`), before the index is filled: no original stays in `answer`, and none
reaches the index. Masking cannot be undone: the downgrade drops the search and keeps the
masked text.

Revision ID: 0018
Revises: 0017
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

from analysis.privacy import mask_pii

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 5000
FTS = "comment_fts"

_TEXT_ITEM = ("FROM response r JOIN version_item vi ON vi.version_id = r.version_id "
              "AND vi.code = {row}.item_code WHERE r.id = {row}.response_id "
              "AND vi.item_type = 'text' AND {row}.value_text IS NOT NULL")

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER comment_search_fts_insert AFTER INSERT ON comment_search BEGIN
        INSERT INTO {FTS} (rowid, body) VALUES (new.id, new.body); END""",
    f"""CREATE TRIGGER comment_search_fts_delete AFTER DELETE ON comment_search BEGIN
        INSERT INTO {FTS} ({FTS}, rowid, body) VALUES ('delete', old.id, old.body);
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

_PG_INSERT = ("INSERT INTO comment_search (response_id, item_code, submitted_at, body) "
              "SELECT r.id, n.item_code, r.submitted_at, hl_fold(n.value_text) FROM new_rows n "
              "JOIN response r ON r.id = n.response_id JOIN version_item vi ON "
              "vi.version_id = r.version_id AND vi.code = n.item_code "
              "WHERE vi.item_type = 'text' AND n.value_text IS NOT NULL;")
_PG_DELETE = ("DELETE FROM comment_search c USING old_rows o WHERE o.value_text IS NOT NULL "
              "AND c.response_id = o.response_id AND c.item_code = o.item_code;")

POSTGRES_FUNCTIONS = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION hl_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
        PARALLEL SAFE AS
        $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                                        translate($1, 'đĐ', 'dD'))) $$""",
)
POSTGRES_TRIGGERS = (
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

_TEXT_ANSWERS = (
    "SELECT a.response_id, a.item_code, a.value_text FROM answer a "
    "JOIN response r ON r.id = a.response_id JOIN version_item vi ON "
    "vi.version_id = r.version_id AND vi.code = a.item_code "
    "WHERE vi.item_type = 'text' AND a.value_text IS NOT NULL "
    "AND (a.response_id > :rid OR (a.response_id = :rid AND a.item_code > :code)) "
    "ORDER BY a.response_id, a.item_code LIMIT :batch"
)


def _mask_stored(connection) -> None:
    """Mask every stored open-text answer, BATCH at a time (keyset on the primary key)."""
    position = {"rid": -1, "code": ""}
    update = sa.text("UPDATE answer SET value_text = :masked "
                     "WHERE response_id = :rid AND item_code = :code")
    while True:
        rows = connection.execute(sa.text(_TEXT_ANSWERS), {**position, "batch": BATCH}).all()
        changed = []
        for rid, code, value in rows:
            masked = mask_pii(unicodedata.normalize("NFC", value))
            if masked != value:
                changed.append({"masked": masked, "rid": rid, "code": code})
        if changed:
            connection.execute(update, changed)
        if len(rows) < BATCH:
            return
        position = {"rid": rows[-1][0], "code": rows[-1][1]}


def upgrade():
    op.create_table(
        "comment_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=63), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_comment_search_response_id_response"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_search")),
        sa.UniqueConstraint("response_id", "item_code",
                            name=op.f("uq_comment_search_response_id_item_code")),
    )
    op.create_index("ix_comment_search_newest", "comment_search",
                    ["submitted_at", "response_id", "item_code"], unique=False)
    connection = op.get_bind()
    # before any trigger exists: these updates have nothing else to keep up to date
    _mask_stored(connection)
    fill = ("INSERT INTO comment_search (response_id, item_code, submitted_at, body) "
            "SELECT r.id, a.item_code, r.submitted_at, {body} FROM answer a "
            "JOIN response r ON r.id = a.response_id JOIN version_item vi ON "
            "vi.version_id = r.version_id AND vi.code = a.item_code "
            "WHERE vi.item_type = 'text' AND a.value_text IS NOT NULL")
    if connection.dialect.name == "sqlite":
        op.execute(fill.format(body="replace(replace(a.value_text, 'đ', 'd'), 'Đ', 'D')"))
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(body, content='comment_search', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        # one pass over the filled table: faster than a trigger per row
        op.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    elif connection.dialect.name == "postgresql":
        for statement in POSTGRES_FUNCTIONS:
            op.execute(statement)
        op.execute(fill.format(body="hl_fold(a.value_text)"))
        # the index built once after the fill, the triggers after that
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for trigger in ("answer_update", "answer_delete", "answer_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS comment_search_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif connection.dialect.name == "postgresql":
        for name in ("updated", "deleted", "inserted"):
            op.execute(f"DROP TRIGGER IF EXISTS comment_search_{name} ON answer")
            op.execute(f"DROP FUNCTION IF EXISTS comment_search_{name}()")
        op.execute("DROP INDEX IF EXISTS ix_comment_search_body")
        op.execute("DROP FUNCTION IF EXISTS hl_fold(text)")
    op.drop_index("ix_comment_search_newest", table_name="comment_search")
    op.drop_table("comment_search")
