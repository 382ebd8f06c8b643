"""Which questionnaire a unit's desk poster or kiosk opens by default, and how it is named.

The rule (issue #16: the land department's poster used to open the construction survey, the
alphabetically first):

1. A unit named after one service (`unit.service_area`, e.g. the department of land) gets the
   published survey whose single service area is that service.
2. Any other unit (a district, commune or the province handles many services), or a service
   without its own survey, gets a general form: a survey declaring no service area or several,
   else the per-dossier rating, which covers every service. Its officer may pick another one.

Ties inside a step (two surveys of the same service) go to the most recently published, never
to the code's alphabetical order.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.extensions import db
from survey.models import Questionnaire, Unit
from survey.services import kiosks
from survey.services import questionnaires as qservice

# A poster is read on a phone: the full survey first, the three-face rating after it.
POSTER_KINDS = ("survey", "dossier_rating")
# A kiosk is answered standing: the short rating first, and only what a kiosk can carry.
KIOSK_KINDS = ("dossier_rating", "survey")


@dataclass(frozen=True, slots=True)
class Choice:
    """A published questionnaire as an officer picks it."""

    code: str
    kind: str
    title_vi: str
    title_en: str
    service_areas: tuple[str, ...]
    published_at: object  # datetime of the latest version

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_vi

    @property
    def single_area(self) -> str | None:
        return self.service_areas[0] if len(self.service_areas) == 1 else None


def choices(kinds: tuple[str, ...] = POSTER_KINDS) -> list[Choice]:
    """The published, not retired questionnaires of these kinds, titled as published."""
    rows = db.session.execute(
        db.select(Questionnaire).where(Questionnaire.versions.any(),
                                       Questionnaire.status != "retired",
                                       Questionnaire.kind.in_(kinds))
    ).scalars()
    found = []
    for row in rows:
        version = qservice.latest_version(row)
        definition = qservice.definition_of(version)
        found.append(Choice(row.code, row.kind, definition.title.vi,
                            definition.title.en or "", tuple(definition.service_areas),
                            version.published_at))
    return found


def default_choice(unit: Unit, options: list[Choice],
                   kinds: tuple[str, ...] = POSTER_KINDS) -> Choice | None:
    """The questionnaire `unit`'s poster opens unless the officer picks another (see above)."""
    area = unit.service_area.code if unit.service_area is not None else None
    own = [c for c in options if area is not None and c.single_area == area]
    general = [c for c in options if c.single_area is None]
    for group in (own, general):
        for kind in kinds:
            matching = [c for c in group if c.kind == kind]
            if matching:
                # the widest first: no declared area covers every service
                return max(matching, key=lambda c: (len(c.service_areas) or 10**6,
                                                    c.published_at))
    return None


def ordered(unit: Unit, options: list[Choice], lang: str,
            kinds: tuple[str, ...] = POSTER_KINDS) -> list[Choice]:
    """The picker's order: the default first, then by title in the officer's language."""
    first = default_choice(unit, options, kinds)
    rest = sorted((c for c in options if c is not first), key=lambda c: c.title(lang).lower())
    return ([first] if first else []) + rest


def kiosk_default(unit: Unit) -> str | None:
    """The code of the questionnaire a new kiosk of `unit` shows when the officer picks none:
    the same rule as posters, among the questionnaires a kiosk can carry."""
    options = [c for c in choices(KIOSK_KINDS)
               if kiosks.kiosk_refusal(qservice.get(c.code)) is None]
    chosen = default_choice(unit, options, KIOSK_KINDS)
    return chosen.code if chosen else None
