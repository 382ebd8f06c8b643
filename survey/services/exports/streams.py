"""Which stream an export holds, how many responses each stream has in a scope, and the file
names that say it (hailong-survey-2025.csv, hailong-dossier-ratings-2025.csv).

The two streams are never pooled (docs/METHODOLOGY.md §7): an export holds one, so the other one's
responses in the same scope are left out, and the command line says how many. An export holds
the open collection only: a sampled investigation's responses are in none (issue #20; their
results are estimated with the investigation's weights), whatever is asked of quarantined ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Questionnaire, QuestionnaireVersion, Response
from survey.services.exports.codes import STREAMS
from survey.services.reporting.cells import References, scope_conditions
from survey.services.reporting.scope import Scope


@dataclass(frozen=True)
class StreamCount:
    responses: int
    first_year: int | None
    last_year: int | None


def other_stream(stream: str) -> str:
    return "dossier_rating" if stream == "survey" else "survey"


def quarantine_condition(quarantined: str):
    """Which responses an export takes: the open collection's, less or only the quarantined
    ones as asked ("exclude": exactly those in the figures)."""
    if quarantined == "exclude":
        return Response.in_figures
    if quarantined == "only":
        return Response.open_collection & Response.quarantine_id.is_not(None)
    return Response.open_collection


def count_stream(scope: Scope, stream: str, quarantined: str = "exclude") -> StreamCount:
    """The responses of `stream` inside `scope`, as an export of that stream takes them, with
    the first and last year among them."""
    scope = replace(scope, stream=stream)
    conditions = scope_conditions(scope, References.load(), stream)
    conditions.append(quarantine_condition(quarantined))
    responses, first, last = db.session.execute(
        select(func.count(Response.id), func.min(Response.year), func.max(Response.year))
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(*conditions)).one()
    return StreamCount(responses, first, last)


def years_of(scope: Scope, counted: StreamCount | None = None) -> tuple[int | None, int | None]:
    """The years a file covers: the scope's, else those of the responses it holds."""
    first = scope.year_from or (counted.first_year if counted else None)
    last = scope.year_to or (counted.last_year if counted else None)
    return first, last


def file_name(stream: str, years: tuple[int | None, int | None], fmt: str,
              suffix: str = "") -> str:
    """hailong-survey-2025.csv, hailong-dossier-ratings-2021-2025.xlsx, ...-codebook.csv"""
    parts = ["hailong", STREAMS[stream]["slug"]]
    first, last = years
    if first and last:
        parts.append(str(first) if first == last else f"{first}-{last}")
    elif first:
        parts.append(f"from-{first}")
    elif last:
        parts.append(f"to-{last}")
    if suffix:
        parts.append(suffix)
    return "-".join(parts) + f".{fmt}"


def settle_years(table) -> tuple[int | None, int | None]:
    """The years an export table covers, filled in from its responses where its scope leaves
    them open (one count query), and kept in its `about` for the files to say."""
    first, last = table.about.years
    if table.scope is not None and not (first and last):
        counted = count_stream(table.scope, table.stream, table.about.quarantined)
        first, last = years_of(table.scope, counted)
        table.about = replace(table.about, years=(first, last))
    return first, last


def table_file_name(table, fmt: str, suffix: str = "") -> str:
    return file_name(table.stream, settle_years(table), fmt, suffix)
