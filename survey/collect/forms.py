"""Forms built at run time from a published questionnaire version.

WTForms "dynamic form composition": a subclass per page, one field per item set with
`setattr(F, f"q_{code}", field)`. The fields give labels, choices, CSRF and the submitted data;
the answers are checked by `questionnaires.validate_answers`, which speaks both languages.
"""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice

import questionnaires as qn
from questionnaires.conditions import to_plain

# The kiosk's faces: inline SVG, never emoji (a kiosk without an emoji font draws empty boxes).
# Each mood differs in colour and in shape (mouth, brows), and the option's text label is shown
# under it, so neither colour vision nor reading alone is needed. Colours from red to green.
MOODS = {  # mood: (fill, mouth path, extra features)
    "angry": ("#d32f2f", "M30 76 Q50 54 70 76", '<path d="M26 30 L44 39 M74 30 L56 39"/>'),
    "sad": ("#f57c00", "M32 73 Q50 61 68 73", ""),
    "neutral": ("#fbc02d", "M32 68 L68 68", ""),
    "happy": ("#8bc34a", "M31 62 Q50 80 69 62", ""),
    "delighted": ("#2e7d32", "M27 58 Q50 92 73 58 Z", ""),
}


def face_svg(mood: str) -> Markup:
    fill, mouth, extra = MOODS[mood]
    # an open, laughing mouth is filled
    mouth_fill = ' fill="#1a1a1a"' if mouth.endswith("Z") else ""
    return Markup(
        f'<svg class="face-svg face-{mood}" viewBox="0 0 100 100" aria-hidden="true" '
        f'focusable="false"><circle cx="50" cy="50" r="46" fill="{fill}" stroke="#1a1a1a" '
        'stroke-width="3"/><g fill="#1a1a1a"><circle cx="35" cy="42" r="6"/>'
        '<circle cx="65" cy="42" r="6"/></g><g fill="none" stroke="#1a1a1a" stroke-width="5" '
        f'stroke-linecap="round">{extra}<path d="{mouth}"{mouth_fill}/></g></svg>')


FACES = {  # the kiosk's face buttons, by scale value
    "likert5": {1: face_svg("angry"), 2: face_svg("sad"), 3: face_svg("neutral"),
                4: face_svg("happy"), 5: face_svg("delighted")},
    "rating3": {1: face_svg("sad"), 2: face_svg("happy"), 3: face_svg("delighted")},
}


class CollectForm(FlaskForm):
    """The fixed part of every page: the response's id and the answers of earlier pages."""

    response_id = HiddenField()
    version = HiddenField()
    section = HiddenField()
    carried = HiddenField()  # JSON {item code: raw value} of the other sections


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def no_answer_field(item: qn.Item) -> bool:
    """Numbers and texts get a separate "no answer" box; scales and choices get an option."""
    return item.allows_no_answer and item.type in ("number", "text", "multi_choice")


def field_for(item: qn.Item, lang: str):
    label = item.label.get(lang)
    kind = qn.get_type(item.type)
    if item.type == "number":
        return StringField(label, render_kw={"inputmode": "numeric", "pattern": "[0-9]*",
                                             "autocomplete": "off"})
    if item.type == "text":
        return TextAreaField(label, render_kw={"maxlength": item.max_length or 1000, "rows": 3})
    choices = [SelectChoice(str(value), text.get(lang))
               for value, text in kind.value_labels(item)]
    if item.type == "multi_choice":
        return MultiCheckboxField(label, choices=choices)
    if item.allows_no_answer:
        choices.append(SelectChoice("no_answer", qn.NO_ANSWER_LABEL.get(lang)))
    return RadioField(label, choices=choices, validate_choice=False)


def build_form(items: tuple[qn.Item, ...] | list[qn.Item], lang: str, **kwargs) -> CollectForm:
    class PageForm(CollectForm):
        pass

    for item in items:
        setattr(PageForm, f"q_{item.code}", field_for(item, lang))
        if no_answer_field(item):
            setattr(PageForm, f"na_{item.code}", BooleanField(_l("No answer")))
    return PageForm(**kwargs)


def raw_answers(form: CollectForm, items) -> dict[str, object]:
    """The submitted values of these items as `validate_answers` takes them."""
    raw: dict[str, object] = {}
    for item in items:
        value = form[f"q_{item.code}"].data
        if no_answer_field(item) and form[f"na_{item.code}"].data and not value:
            value = "no_answer"
        if value not in (None, "", []):
            raw[item.code] = value
    return raw


def initial_data(items, answers: dict[str, object]) -> dict[str, object]:
    """Form data that shows earlier answers again (going back, or after an error)."""
    data: dict[str, object] = {}
    for item in items:
        value = answers.get(item.code)
        if value is None:
            continue
        if no_answer_field(item) and value == "no_answer":
            data[f"na_{item.code}"] = True
        elif item.type == "multi_choice":
            data[f"q_{item.code}"] = value if isinstance(value, list) else str(value).split()
        else:
            data[f"q_{item.code}"] = str(value)
    return data


def show_if_json(item: qn.Item) -> str | None:
    return json.dumps(to_plain(item.show_if)) if item.show_if else None
