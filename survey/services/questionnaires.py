"""Questionnaires in the database: drafts, immutable published versions, and their rules.

The definition itself is validated by the pure `questionnaires` package; this module keeps the
versions: a draft is replaced freely, a published version never changes, and a version that
would reuse an item code with another scale is refused so trends never join two questions; a
wording revision (same code and scale) publishes and is recorded with its old and new text.
"""

from __future__ import annotations

from dataclasses import dataclass

import questionnaires as qn
from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion, VersionItem
from survey.services import audit, lookups


class PublishRefused(ValueError):
    """The draft cannot become a version; `problems` says why, item by item."""

    def __init__(self, message: str, problems: list[qn.Problem] | None = None):
        self.problems = problems or []
        details = "".join(f"\n  {p.message('en')} [{p.item}]" for p in self.problems)
        super().__init__(message + details)


class UnknownQuestionnaire(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class PublishResult:
    version: QuestionnaireVersion
    created: bool  # False when the draft equals the latest version


def get(code: str) -> Questionnaire:
    found = db.session.execute(db.select(Questionnaire).filter_by(code=code)).scalar_one_or_none()
    if found is None:
        raise UnknownQuestionnaire(f"no questionnaire with code {code!r}")
    return found


def save_draft(definition: qn.Questionnaire, actor: str = "cli") -> Questionnaire:
    """Create the questionnaire or replace its draft with this (already validated) definition."""
    row = db.session.execute(
        db.select(Questionnaire).filter_by(code=definition.code)
    ).scalar_one_or_none()
    new_hash = qn.content_hash(definition)
    if row is None:
        row = Questionnaire(code=definition.code, status="draft")
        db.session.add(row)
        audit.record(actor, "create", "questionnaire", definition.code)
    elif row.kind != definition.kind and row.versions:
        raise PublishRefused(
            f"{definition.code}: the kind cannot change from {row.kind} to {definition.kind} "
            "once a version is published; use a new questionnaire code"
        )
    elif row.draft_hash != new_hash:
        audit.record(actor, "update_draft", "questionnaire", definition.code,
                     old={"hash": row.draft_hash}, new={"hash": new_hash})
    row.kind = definition.kind
    row.title_vi = definition.title.vi
    row.title_en = definition.title.en or ""
    row.draft = qn.to_dict(definition)
    row.draft_hash = new_hash
    db.session.flush()
    return row


def latest_version(row: Questionnaire) -> QuestionnaireVersion | None:
    return row.versions[-1] if row.versions else None


def get_version(code: str, number: int | None = None) -> QuestionnaireVersion:
    row = get(code)
    if number is None:
        version = latest_version(row)
    else:
        version = next((v for v in row.versions if v.number == number), None)
    if version is None:
        raise UnknownQuestionnaire(
            f"{code} has no version {number}" if number else f"{code} has no published version"
        )
    return version


_DEFINITIONS: dict[str, qn.Questionnaire] = {}


@dataclass(frozen=True, slots=True)
class VersionRef:
    """What storing a response needs of a published version, read with one Core query."""

    id: int
    number: int
    content_hash: str
    questionnaire_id: int
    code: str


def version_ref(code: str, number: int | None = None) -> VersionRef:
    """`get_version` for the submission path: plain values, no ORM objects to load or expire.

    Every response pays for this look-up, so it reads one row of four columns instead of the
    questionnaire and all its versions, and each worker remembers it briefly (`lookups`).
    """
    ref = lookups.remembered(("version", code, number), lambda: _read_version_ref(code, number))
    if ref is None:
        get(code)  # "no questionnaire with code …" when that is the reason
        raise UnknownQuestionnaire(
            f"{code} has no version {number}" if number else f"{code} has no published version"
        )
    return ref


def _read_version_ref(code: str, number: int | None) -> VersionRef | None:
    query = (db.select(QuestionnaireVersion.id, QuestionnaireVersion.number,
                       QuestionnaireVersion.content_hash, Questionnaire.id)
             .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
             .where(Questionnaire.code == code))
    if number is None:
        query = query.order_by(QuestionnaireVersion.number.desc()).limit(1)
    else:
        query = query.where(QuestionnaireVersion.number == number)
    row = db.session.connection().execute(query).first()
    return VersionRef(row[0], row[1], row[2], row[3], code) if row else None


def definition_of_ref(ref: VersionRef) -> qn.Questionnaire:
    """`definition_of` for a `VersionRef`: the JSON is read only on the first use of a hash."""
    cached = _DEFINITIONS.get(ref.content_hash)
    if cached is None:
        return definition_of(db.session.get(QuestionnaireVersion, ref.id))
    return cached


def definition_of(version: QuestionnaireVersion) -> qn.Questionnaire:
    """The typed definition of a published version.

    Parsing and validating takes milliseconds, which every submission would pay; a published
    version never changes, so its definition is kept by content hash.
    """
    cached = _DEFINITIONS.get(version.content_hash)
    if cached is None:
        name = f"{version.questionnaire.code} v{version.number}"
        cached = qn.from_dict(version.definition, filename=name)
        if len(_DEFINITIONS) > 256:  # many versions loaded over a long life: start again
            _DEFINITIONS.clear()
        _DEFINITIONS[version.content_hash] = cached
    return cached


def publish(code: str, actor: str = "cli", wording_only: bool = False) -> PublishResult:
    """Freeze the draft as the next version, unless it is unchanged or breaks comparability.

    `wording_only`: the author confirmed that items whose Vietnamese text changed (same code
    and scale) keep their meaning; without it such a draft is refused (ITEM_REWORDED), since
    only the author can tell a typo from a new question.
    """
    row = get(code)
    if row.draft is None:
        raise PublishRefused(f"{code} has no draft to publish")
    latest = latest_version(row)
    if latest is not None and latest.content_hash == row.draft_hash:
        return PublishResult(latest, created=False)
    draft = qn.from_dict(row.draft, filename=f"{code} (draft)")
    problems = [
        problem
        for version in row.versions
        for problem in qn.incompatible_changes(definition_of(version), draft)
    ]
    if problems:
        raise PublishRefused(
            f"{code}: an item keeps its code but changes its scale; give it a new code", problems
        )
    # docs/METHODOLOGY.md §8: same code and scale, other words: the item stays comparable; the
    # revision is recorded with the old and new text (the audit entry and the version diff)
    revisions = qn.wording_revisions(definition_of(latest), draft) if latest else ()
    if revisions and not wording_only:
        unconfirmed = qn.unconfirmed_rewordings(definition_of(latest), draft)
        if unconfirmed:
            raise PublishRefused(
                f"{code}: an item's text changed; confirm a wording revision (--wording-only) "
                "or give the item a new code", unconfirmed)
    version = QuestionnaireVersion(
        questionnaire=row,
        number=(latest.number + 1) if latest else 1,
        definition=row.draft,
        content_hash=row.draft_hash,
        published_by=actor,
    )
    db.session.add(version)
    for position, item in enumerate(draft.items):
        db.session.add(
            VersionItem(
                version=version,
                code=item.code,
                item_type=item.type,
                element=item.element,
                is_overall=item.overall,
                demographic=item.demographic
                or ("respondent_type" if item.respondent_type else None),
                position=position,
            )
        )
    if row.status != "retired":
        row.status = "active"
    db.session.flush()
    lookups.forget()  # "the latest version" changed: this worker sees it at once
    recorded: dict = {"version": version.number, "hash": version.content_hash}
    if revisions:
        recorded["wording_revisions"] = revision_records(revisions)
    audit.record(actor, "publish", "questionnaire", code, new=recorded)
    return PublishResult(version, created=True)


def revision_records(revisions) -> list[dict]:
    """Wording revisions as plain rows: item, field, old text, new text."""
    return [{"item": change.code, "field": f.field, "old": f.old, "new": f.new}
            for change in revisions for f in change.changes]


def pending_wording_revisions(row: Questionnaire, draft: qn.Questionnaire,
                              ) -> tuple[qn.ItemChange, ...]:
    """What publishing `draft` would record as wording revisions of the latest version."""
    latest = latest_version(row)
    if latest is None or latest.content_hash == qn.content_hash(draft):
        return ()
    return qn.wording_revisions(definition_of(latest), draft)


def load_and_publish_builtins(actor: str = "setup") -> list[PublishResult]:
    """Load every built-in questionnaire and publish it when it changed since last time."""
    results = []
    for path in qn.builtin_paths():
        definition = qn.load_file(path)
        save_draft(definition, actor)
        results.append(publish(definition.code, actor))
    return results


def diff_versions(code: str, old: int, new: int) -> qn.Diff:
    return qn.diff(definition_of(get_version(code, old)), definition_of(get_version(code, new)))


def published_codes(kind: str | None = None) -> list[str]:
    query = db.select(Questionnaire.code).where(Questionnaire.versions.any())
    if kind:
        query = query.where(Questionnaire.kind == kind)
    return list(db.session.execute(query.order_by(Questionnaire.code)).scalars())
