"""Open text masked before it is stored (issue #21): the original is never written.

Every writer of answers goes through `responses.prepare` (the API, the citizen pages, the
paper import, the investigation's fieldwork), which calls `masked_answers`; the demo masks its
comments the same way. Reading then needs no masking: the comment search, exports and the
feedback officers' page all see the masked text only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import replace

import analysis
import questionnaires as qn


def mask_text(text: str) -> str:
    """Dossier codes, phone numbers, e-mail addresses and ID numbers replaced by placeholders;
    composed (NFC) first, so the database's unaccent and FTS tokenizer, which know the
    precomposed Vietnamese letters, fold it as they fold typed text."""
    return analysis.mask_pii(unicodedata.normalize("NFC", text))


def masked_answers(definition: qn.Questionnaire,
                   answers: Mapping[str, qn.Answer]) -> dict[str, qn.Answer]:
    """`answers` with the open-text ones masked (choice codes are left as they are)."""
    out = dict(answers)
    for item in definition.items:
        answer = out.get(item.code)
        if item.type == "text" and answer is not None and answer.value_text:
            masked = mask_text(answer.value_text)
            if masked != answer.value_text:
                out[item.code] = replace(answer, value_text=masked)
    return out
