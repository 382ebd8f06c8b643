"""What an export's values mean: no-answer codes, SPSS codes of choices, measurement levels,
and the words (Vietnamese, English) that files use to say which stream they hold.

Kept apart from the writers so that the .sav, the XLSX codebook and the CSV codebook say the
same thing about every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import questionnaires as qn

MISSING_LABELS = {code: (text.vi, text.en) for code, text in qn.MISSING_LABELS.items()}
MISSING_WORDS = qn.MISSING_WORDS
WORD_CODE = {word: code for code, word in MISSING_WORDS.items()}
# A number item's own range may reach 97-99, so its missing codes move below zero in SPSS.
NUMBER_MISSING = {code: -code for code in qn.MISSING_CODES}
# Rating scales whose codes are ordered; yes/no is a dichotomy (nominal).
ORDINAL_TYPES = frozenset({"likert5", "rating3", "expectation4", "nps"})

STREAMS = {
    "survey": {
        "slug": "survey",
        "label": ("Khảo sát mẫu", "Sample survey"),
        "meaning": (
            "Phiếu của cuộc khảo sát mẫu: dùng được để ước lượng tỷ lệ hài lòng với khoảng tin "
            "cậy và kiểm định (METHODOLOGY §3). Không bao gồm các lượt đánh giá từng hồ sơ.",
            "Responses of the sample survey: they support estimates with confidence intervals "
            "and tests (METHODOLOGY §3). Per-dossier ratings are not included."),
    },
    "dossier_rating": {
        "slug": "dossier-ratings",
        "label": ("Đánh giá từng hồ sơ", "Per-dossier ratings"),
        "meaning": (
            "Lượt đánh giá từng hồ sơ khi trả kết quả: người dân tự chọn đánh giá, không phải "
            "mẫu; chỉ báo cáo số lượng và tỷ lệ, không suy rộng và không gộp với khảo sát mẫu "
            "(METHODOLOGY §7).",
            "Ratings of single dossiers when the result is returned: self-selected, not a "
            "sample; report counts and percentages only, never infer from them or pool them "
            "with the sample survey (METHODOLOGY §7)."),
    },
}

TYPE_WORDS = {
    "envelope": ("Thông tin phiếu", "Response envelope"),
    "likert5": ("Thang 5 mức (thứ bậc)", "5-point scale (ordinal)"),
    "rating3": ("Đánh giá 3 mức (thứ bậc)", "3-level rating (ordinal)"),
    "expectation4": ("Mong đợi 4 mức (thứ bậc)", "4-level expectation (ordinal)"),
    "nps": ("Thang 0–10 (thứ bậc)", "0–10 scale (ordinal)"),
    "yes_no": ("Có/Không", "Yes/No"),
    "number": ("Số", "Number"),
    "single_choice": ("Chọn một", "Single choice"),
    "multi_choice": ("Chọn nhiều (các mã cách nhau bởi dấu cách)",
                     "Multiple choice (codes separated by spaces)"),
    "text": ("Văn bản", "Text"),
}


# What every export says of the sampled investigations' responses (`streams.quarantine_condition`
# leaves them out): the XLSX method sheet and the .sav notes.
SAMPLED_LEFT_OUT = (
    "Không gồm phiếu của các cuộc điều tra chọn mẫu: kết quả của chúng được ước lượng riêng "
    "theo trọng số của thiết kế chọn mẫu, không gộp với dữ liệu thu thập mở.",
    "Responses of sampled investigations are left out: their results are estimated apart "
    "with the sample design's weights, never pooled with the open collection.")


@dataclass(frozen=True)
class About:
    """What an export holds, for the files that can say it (XLSX method sheet, .sav notes)."""

    stream: str = "survey"
    quarantined: str = "exclude"
    years: tuple[int | None, int | None] = (None, None)


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def stream_label(stream: str, lang: str = "vi") -> str:
    return pick(STREAMS[stream]["label"], lang)


def is_item(column) -> bool:
    return column.type != "envelope"


def is_rating(column) -> bool:
    """An integer item whose no-answer codes are 97/98/99 themselves (every scale)."""
    return column.storage == "int" and column.type not in ("envelope", "number")


def missing_code(column, code: int) -> int:
    """The numeric code of a no-answer in SPSS: number items move it below zero."""
    return NUMBER_MISSING[code] if column.type == "number" else code


def measure(column) -> str:
    """The SPSS measurement level: ordered ratings, measured numbers, named codes."""
    if column.type in ORDINAL_TYPES:
        return "ordinal"
    if column.type == "number" or column.name == "submitted_at":
        return "scale"
    return "nominal"


def choice_numbers(column) -> dict[str, int]:
    """SPSS numbers of a single-choice item's codes: the codes themselves when they are all
    whole numbers clear of the no-answer codes (a questionnaire coded 1, 2, 3), else 1, 2, 3...
    in the questionnaire's order, skipping 97-99."""
    codes = list(column.values)
    try:
        own = {code: int(code) for code in codes}
    except ValueError:
        own = {}
    if own and all(str(n) == c for c, n in own.items()) and not set(own.values()) & set(
            MISSING_WORDS) and min(own.values()) >= 0:
        return own
    numbers = (n for n in count(1) if n not in MISSING_WORDS)
    return {code: next(numbers) for code in codes}


def no_answer_note(column) -> str:
    """The codebook's cell on no-answers: each word with its SPSS code."""
    if not is_item(column):
        return ""
    return "; ".join(f"{word} (SPSS {missing_code(column, code)})"
                     for code, word in MISSING_WORDS.items())
