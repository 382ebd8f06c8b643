"""Questionnaires in and out as files: XLSForm and YAML import into a draft (audited), and
export.

Both imports pass the installation's service areas to the pure loaders, so an area the
database does not know is refused at its place (settings cell, or YAML line and column)
instead of leaving the answers of the new questionnaire outside every service trend.
"""

from __future__ import annotations

import questionnaires as qn
from survey.models import Questionnaire
from survey.services import audit, service_areas
from survey.services.questionnaires import save_draft

YAML_SUFFIXES = (".yaml", ".yml")


def is_yaml(filename: str) -> bool:
    return filename.lower().endswith(YAML_SUFFIXES)


def import_xlsform(data: bytes, filename: str, actor: str,
                   warnings: list | None = None) -> Questionnaire:
    """Read the whole workbook or nothing (XlsformError), then save it as the draft; what
    the file holds that is not carried over is appended to ``warnings`` (located)."""
    result = qn.import_xlsform(data, filename, service_areas=service_areas.codes())
    if warnings is not None:
        warnings.extend(result.warnings)
    return _save(result.questionnaire, filename, "xlsform", actor)


def import_yaml(data: bytes, filename: str, actor: str) -> Questionnaire:
    """A YAML definition file as the draft; DefinitionError lists every located problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise qn.DefinitionError([qn.Problem(qn.Message.FILE_NOT_UTF8, filename, line)]) \
            from None
    definition = qn.load_text(text, filename, service_areas=service_areas.codes())
    return _save(definition, filename, "yaml", actor)


def load_yaml_file(path, actor: str = "cli") -> qn.Questionnaire:
    """The CLI's `questionnaire load`: the file checked against the known areas, then saved."""
    definition = qn.load_file(path, service_areas=service_areas.codes())
    save_draft(definition, actor)
    return definition


def _save(definition: qn.Questionnaire, filename: str, fmt: str, actor: str) -> Questionnaire:
    row = save_draft(definition, actor)
    audit.record(actor, "import", "questionnaire", definition.code,
                 new={"file": filename, "format": fmt, "hash": row.draft_hash,
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
