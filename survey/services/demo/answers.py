"""Generating one respondent's answers to any questionnaire, coherently.

A respondent has a general disposition (theta, on the logit scale) and one effect per SIPAS
element; an item of element e is satisfied with probability sigmoid(theta + z_e + offset).
The overall item leans more on civil servants (C) and results (D) than on the others, so the
driver analysis finds them important. Items the model knows nothing about get plausible values
from their type, so an office's own questionnaire can be demoed too.
"""

from __future__ import annotations

import math
import random

import questionnaires as qn
from survey.services.demo.province import NEGATIVE_COMMENTS, POSITIVE_COMMENTS

ELEMENT_OFFSET = {"A": 0.5, "B": -0.2, "C": 0.1, "D": 0.0, "E": -0.4}
OVERALL_WEIGHT = {"A": 0.15, "B": 0.3, "C": 0.6, "D": 0.55, "E": 0.1}
NO_ANSWER_RATE = 0.03


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


class Respondent:
    def __init__(self, rng: random.Random, target: float, organisation_share: float):
        self.rng = rng
        # The constant keeps the overall item's share near `target` once the noise is added.
        self.theta = logit(target) + 0.35 + rng.gauss(0.0, 0.9)
        self.z = {e: rng.gauss(0.0, 0.7) for e in ELEMENT_OFFSET}
        self.organisation = rng.random() < organisation_share

    def satisfied_probability(self, element: str | None, overall: bool) -> float:
        if overall:
            lean = sum(OVERALL_WEIGHT[e] * self.z[e] for e in self.z)
            return sigmoid(self.theta + lean)
        return sigmoid(self.theta + self.z.get(element or "", 0.0) + ELEMENT_OFFSET.get(element, 0))

    def likert5(self, element: str | None, overall: bool) -> int:
        if self.rng.random() < self.satisfied_probability(element, overall):
            return 5 if self.rng.random() < 0.35 else 4
        return self.rng.choices((3, 2, 1), weights=(6, 3, 1))[0]


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
        p = person.satisfied_probability(None, True)
        if rng.random() < p:
            return qn.Answer(value_int=3 if rng.random() < 0.55 else 2)
        return qn.Answer(value_int=1)
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
    satisfied = person.rng.random() < person.satisfied_probability(None, True)
    pool = POSITIVE_COMMENTS if satisfied else NEGATIVE_COMMENTS
    text = person.rng.choice(pool)
    if item.max_length:
        text = text[: item.max_length]
    return qn.Answer(value_text=text)
