"""Forms built at run time from a published questionnaire version.

WTForms "dynamic form composition": a subclass per page, one field per item set with
`setattr(F, f"q_{code}", field)`. The fields give labels, choices, CSRF and the submitted data;
the answers are checked by `questionnaires.validate_answers`, which speaks both languages.
"""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

FACES = {  # the kiosk's face buttons, by scale value
    "likert5": {1: "😠", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"},
    "rating3": {1: "🙁", 2: "🙂", 3: "😄"},
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
