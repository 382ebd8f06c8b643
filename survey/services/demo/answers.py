"""Generating one respondent's answers to any questionnaire, coherently.

A respondent has a general disposition (theta) and one effect per SIPAS element; each item is a
cut of theta + z_e + noise, so items of one element correlate as real scales do (α ≈ 0.8).
The overall item leans more on civil servants (C) and results (D) than on the others, so the
driver analysis finds them important. Items the model knows nothing about get plausible values
from their type, so an office's own questionnaire can be demoed too.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

import questionnaires as qn
from survey.services import masking
from survey.services.demo.province import NEGATIVE_COMMENTS, POSITIVE_COMMENTS

ELEMENT_OFFSET = {"A": 0.35, "B": -0.15, "C": 0.05, "D": 0.0, "E": -0.3}
OVERALL_WEIGHT = {"A": 0.2, "B": 0.85, "C": 0.9, "D": 0.7, "E": 0.15}
_LEAN_VARIANCE = sum(w * w for w in OVERALL_WEIGHT.values())
THETA_SD, ELEMENT_SD, ITEM_SD = 1.0, 0.5, 0.65
CUTS = (-1.6, -0.7, 0.0, 1.3)  # boundaries between codes 1|2|3|4|5 on the attitude scale
NO_ANSWER_RATE = 0.03


class Respondent:
    """A latent-variable respondent: answers are cuts of one continuous attitude per element.

    attitude(e) = theta + z_e + item offset + item noise; 4 or 5 ("satisfied") when it is > 0.
    `theta` is centred so that the overall item's share satisfied is about `target`.
    """

    def __init__(self, rng: random.Random, target: float, organisation_share: float):
        self.rng = rng
        spread = math.sqrt(THETA_SD**2 + ELEMENT_SD**2 * _LEAN_VARIANCE + ITEM_SD**2)
        self.theta = NormalDist().inv_cdf(target) * spread + rng.gauss(0.0, THETA_SD)
        self.z = {e: rng.gauss(0.0, ELEMENT_SD) for e in ELEMENT_OFFSET}
        self.organisation = rng.random() < organisation_share

    def attitude(self, element: str | None, overall: bool) -> float:
        if overall:
            lean = sum(OVERALL_WEIGHT[e] * self.z[e] for e in self.z)
            return self.theta + lean + self.rng.gauss(0.0, ITEM_SD)
        base = self.theta + self.z.get(element or "", 0.0) + ELEMENT_OFFSET.get(element, 0.0)
        return base + self.rng.gauss(0.0, ITEM_SD)

    def likert5(self, element: str | None, overall: bool) -> int:
        value = self.attitude(element, overall)
        return 1 + sum(value > cut for cut in CUTS)


def answers_for(
    definition: qn.Questionnaire, person: Respondent, year_index: int
) -> dict[str, qn.Answer]:
    """Answers to every visible item, in questionnaire order (show_if respected)."""
    answers: dict[str, qn.Answer] = {}
    for item in definition.items:
        if not qn.is_visible(item, answers):
            continue
        answer = _answer(item, person, year_index)
        if answer is not None:
            answers[item.code] = answer
    return answers


def _answer(item: qn.Item, person: Respondent, year_index: int) -> qn.Answer | None:
    rng = person.rng
    rating = item.type in ("likert5", "rating3", "expectation4", "nps")
    if rating and item.missing_codes and rng.random() < NO_ANSWER_RATE:
        return qn.Answer(missing_code=item.default_missing_code)
    if item.type == "likert5":
        return qn.Answer(value_int=person.likert5(item.element, item.overall))
    if item.type == "rating3":
        value = person.attitude(None, True)
        return qn.Answer(value_int=1 if value <= 0 else (3 if value > 0.9 else 2))
    if item.type == "expectation4":
        return qn.Answer(value_int=rng.choices((1, 2, 3, 4), weights=(1, 2, 5, 4))[0])
    if item.type == "nps":
        return qn.Answer(value_int=min(10, max(0, round(rng.gauss(7.5, 2)))))
    if item.type == "yes_no":
        return qn.Answer(value_int=int(rng.random() < _yes_share(item, year_index)))
    if item.type == "number":
        return qn.Answer(value_int=_number(item, rng, year_index))
    if item.type == "single_choice":
        return _single_choice(item, person)
    if item.type == "multi_choice":
        chosen = [c for c in item.choice_codes if rng.random() < 0.3] or [item.choice_codes[0]]
        return qn.Answer(value_text=" ".join(chosen))
    if item.type == "text":
        return _comment(item, person)
    return None


def _yes_share(item: qn.Item, year_index: int) -> float:
    code = item.code
    if "gave_feedback" in code:
        return 0.18
    if "unofficial" in code or "harassment" in code or "intermediary" in code:
        return max(0.02, 0.10 - 0.015 * year_index)  # integrity improves over the years
    return 0.3


def _number(item: qn.Item, rng: random.Random, year_index: int) -> int:
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else low + 10
    mean = max(0.2, 1.4 - 0.2 * year_index) if "supplement" in item.code else 1.2
    value = low
    while rng.random() < mean / (mean + 1):  # geometric: mostly small, sometimes several
        value += 1
    return min(high, value)


def _single_choice(item: qn.Item, person: Respondent) -> qn.Answer:
    codes = item.choice_codes
    if item.respondent_type:
        return qn.Answer(value_text="organisation" if person.organisation else "individual")
    if item.demographic == "sex":
        return qn.Answer(value_text=person.rng.choices(codes, weights=[48, 51, 1][: len(codes)])[0])
    return qn.Answer(value_text=person.rng.choice(codes))


def _comment(item: qn.Item, person: Respondent) -> qn.Answer | None:
    if person.rng.random() > 0.25:
        return None
    pool = POSITIVE_COMMENTS if person.attitude(None, True) > 0 else NEGATIVE_COMMENTS
    text = person.rng.choice(pool)
    if item.max_length:
        text = text[: item.max_length]
    # stored masked, as every other writer stores it (survey/services/masking.py)
    return qn.Answer(value_text=masking.mask_text(text))
