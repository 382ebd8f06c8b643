"""Questionnaires in and out as files: XLSForm import into a draft (audited), and export."""

from __future__ import annotations

import questionnaires as qn
from survey.models import Questionnaire
from survey.services import audit
from survey.services.questionnaires import save_draft


def import_xlsform(data: bytes, filename: str, actor: str) -> Questionnaire:
    """Read the whole workbook or nothing (XlsformError), then save it as the draft."""
    definition = qn.from_xlsform(data, filename)
    row = save_draft(definition, actor)
    audit.record(actor, "import", "questionnaire", definition.code,
                 new={"file": filename, "format": "xlsform", "hash": row.draft_hash,
                      "items": len(definition.items)})
    return row


def export_definition(row: Questionnaire, number: int | None = None) -> qn.Questionnaire:
    """The version asked for, the latest version, or else the (valid) draft."""
    from survey.services.questionnaires import definition_of

    versions = [v for v in row.versions if number is None or v.number == number]
    if versions:
        return definition_of(versions[-1])
    if number is not None or row.draft is None:
        raise LookupError(f"{row.code} has no such version")
    return qn.from_dict(row.draft, filename=f"{row.code} (draft)")
