"""Checks across items: unique codes, show_if targets, single flags, and the warnings.

They run over every item record, including items with errors of their own, so one run reports
a duplicate code or a bad show_if even next to a typo; conditions that point at a broken item
are not checked further (its type is unknown).
"""

from __future__ import annotations

from collections.abc import Collection

from . import conditions
from .fields import Ctx, ItemRecord, suggest
from .messages import Message
from .model import Item, Section, Source
from .yamlread import Map, Node, Scalar, Seq


def file_start(filename: str) -> Source:
    return Source(filename, 1, 1)


def run(sections: list[Section], ctx: Ctx, kind: str | None, where: Source) -> None:
    _sections(sections, ctx)
    _records(ctx.records, ctx)
    items = [r.item for r in ctx.records if r.item is not None]
    _single_flags(items, ctx)
    if not ctx.records and not ctx.errors:
        ctx.add(Message.NO_ITEMS, where)
    if items and kind == "survey" and not any(i.overall for i in items):
        ctx.add(Message.NO_OVERALL_ITEM, where)


def _records(records: list[ItemRecord], ctx: Ctx) -> None:
    known = {r.code for r in records if r.code}
    # a code is broken only when no record of it was built (a duplicate may be fine)
    broken = {r.code for r in records if r.item is None} - {r.code for r in records if r.item}
    earlier: dict[str, ItemRecord] = {}
    for record in records:
        if record.code in earlier:
            ctx.add(Message.DUPLICATE_ITEM_CODE, record.mark, record.code,
                    other_line=earlier[record.code].mark.line or "?")
        ready = {code: r.item for code, r in earlier.items() if r.item is not None}
        leaves = [leaf for leaf in record.leaves if leaf[0].item not in broken]
        item = record.item or Item(record.code or "", "", None)  # type: ignore[arg-type]
        conditions.check(leaves, item, ready, known - broken | set(ready), ctx)
        if record.code:
            earlier.setdefault(record.code, record)
        if record.item is not None and record.item.label.en is None:
            ctx.add(Message.MISSING_EN_LABEL, record.mark, record.code, key="label")


def _sections(sections: list[Section], ctx: Ctx) -> None:
    seen: set[str] = set()
    for section in sections:
        where = section.source or Source("?")
        if section.code in seen:
            ctx.add(Message.DUPLICATE_SECTION_CODE, where, value=section.code)
        seen.add(section.code)
        if not section.items:
            ctx.add(Message.EMPTY_SECTION, where, value=section.code)


def _single_flags(items: list[Item], ctx: Ctx) -> None:
    """One overall item and one respondent-type item: the analysis looks them up by flag."""
    for flag in ("overall", "respondent_type"):
        flagged = [item for item in items if getattr(item, flag)]
        for extra in flagged[1:]:
            ctx.add(Message.SEVERAL_FLAGGED, extra.source or Source("?"), extra.code, key=flag,
                    other=flagged[0].code)


def service_areas(root: Node | None, known: Collection[str], ctx: Ctx) -> None:
    """Each ``service_areas`` entry must be an area the installation knows (its database).

    The package has no database: the caller passes the known codes. Entries that are not
    codes at all are left to the builder, which reports them with their own message.
    """
    if not isinstance(root, Map) or not isinstance(root.entries.get("service_areas"), Seq):
        return
    listed = ", ".join(sorted(known)) or "—"
    for entry in root.entries["service_areas"].items:  # type: ignore[union-attr]
        value = entry.value if isinstance(entry, Scalar) else None
        if isinstance(value, str) and value not in known:
            ctx.add(Message.UNKNOWN_SERVICE_AREA, entry.mark, value=value, known=listed,
                    suggestion=suggest(value, known))
