"""SPSS .sav ready for analysis, read back with pyreadstat (user-missing values kept) and
checked against the database read with plain SQL: formats, measurement levels, value labels,
user-missing codes, numeric single choices, date-times, labels in the chosen language."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pyreadstat
import pytest

from survey.services import exports
from survey.services.reporting import Scope
from tests.survey import export_data as data

LIKERT_VI = {1: "Rất không hài lòng", 2: "Không hài lòng", 3: "Bình thường", 4: "Hài lòng",
             5: "Rất hài lòng"}
MISSING_VI = {97: "Không áp dụng", 98: "Không biết", 99: "Từ chối trả lời"}
MISSING_EN = {97: "Not applicable", 98: "Don't know", 99: "Refused"}
# the measurement level each kind of item must have, by the items the data uses
MEASURES = {"a1_seating": "ordinal", "x1_information": "ordinal", "e1_gave_feedback": "nominal",
            "land_supplements": "scale", "land_trips": "scale", "sex": "nominal",
            "land_procedure": "nominal", "comments": "nominal", "submitted_at": "scale",
            "unit": "nominal", "channel": "nominal", "response_id": "nominal"}


def write(tmp_path, lang="vi", stream="survey"):
    table = exports.export_table(Scope(stream=stream))
    out = tmp_path / f"out-{lang}-{stream}.sav"
    exports.write("sav", table.columns, table.rows, out, lang, table.about)
    return pyreadstat.read_sav(str(out), user_missing=True)


@pytest.fixture
def built(ctx):
    data.build()
    yield


def test_formats_are_integers_and_submitted_at_is_a_date_time(built, tmp_path):
    frame, meta = write(tmp_path)
    formats = meta.original_variable_types
    # 1-5 and the codes 97-99 need two digits; yes/no and 1-4 too (their codes are 97-99)
    assert formats["a1_seating"] == "F2.0"
    assert formats["e1_gave_feedback"] == "F2.0"
    assert formats["x1_information"] == "F2.0"
    # number items: their widest value or their negative no-answer code (-97: three places)
    assert formats["land_supplements"] == "F3.0"
    assert formats["land_trips"] == "F3.0"
    assert formats["sex"] == "F2.0" and formats["land_procedure"] == "F2.0"
    assert formats["version"] == "F1.0"
    assert formats["submitted_at"].startswith("DATETIME")
    assert formats["comments"].startswith("A") and formats["unit"].startswith("A")
    assert meta.readstat_variable_types["sex"] == "double"
    assert str(frame["submitted_at"].dtype).startswith("datetime64")


def test_measurement_levels(built, tmp_path):
    _, meta = write(tmp_path)
    for name, level in MEASURES.items():
        assert meta.variable_measure[name] == level, name


def test_values_user_missing_and_times_equal_the_database(built, tmp_path):
    frame, meta = write(tmp_path)
    expected = data.stored()
    assert len(frame) == len(expected) == 12
    choices = {item: {code: n for n, (code, _, _) in enumerate(options, start=1)}
               for item, options in data.land_choices().items()}
    for row in frame.to_dict("records"):
        answers = expected[row["response_id"].replace("-", "")]
        # a double holds a 2025 time to about 2 µs: the same instant, to that precision
        assert abs(row["submitted_at"] - answers.pop("submitted_at")) <= timedelta(
            microseconds=2)
        for item, (kind, value) in answers.items():
            got = row[item]
            if kind == "missing":
                assert got == (-value if item.startswith("land_") and item != "land_procedure"
                               else value), item
            elif kind == "int":
                assert got == value and isinstance(got, float), item
            elif item in choices:
                assert got == choices[item][value], item
            else:
                assert got == value, item
    whole = frame.loc[frame["submitted_at"] == pd.Timestamp("2025-06-01 03:00:00")]
    assert len(whole) == 4  # whole seconds come back exactly
    for name in ("a1_seating", "e1_gave_feedback", "x1_information", "sex"):
        assert sorted(r["lo"] for r in meta.missing_ranges[name]) == [97, 98, 99], name
        assert all(r["lo"] == r["hi"] for r in meta.missing_ranges[name])
    for name in ("land_supplements", "land_trips"):
        assert sorted(r["lo"] for r in meta.missing_ranges[name]) == [-99, -98, -97], name


def test_value_labels_with_the_missing_codes(built, tmp_path):
    _, meta = write(tmp_path)
    labels = meta.variable_value_labels
    assert labels["a1_seating"] == {**LIKERT_VI, **MISSING_VI}
    assert labels["e1_gave_feedback"] == {1: "Có", 0: "Không", **MISSING_VI}
    assert labels["land_supplements"] == {-97: "Không áp dụng", -98: "Không biết",
                                          -99: "Từ chối trả lời"}
    for item, options in data.land_choices().items():
        assert labels[item] == {**{n: vi for n, (_, vi, _) in enumerate(options, start=1)},
                                **MISSING_VI}, item
    assert "submitted_at" not in labels and "unit" not in labels


def test_single_choices_are_numbers_whose_labels_name_the_stored_choice(built, tmp_path):
    frame, meta = write(tmp_path)
    expected = data.stored()
    names = {item: {code: vi for code, vi, _ in options}
             for item, options in data.land_choices().items()}
    seen = 0
    for row in frame.to_dict("records"):
        answers = expected[row["response_id"].replace("-", "")]
        for item in ("sex", "land_procedure"):
            kind, value = answers[item]
            label = meta.variable_value_labels[item][row[item]]
            assert label == (MISSING_VI[value] if kind == "missing" else names[item][value])
            seen += 1
    assert seen == 24


def test_labels_follow_the_chosen_language(built, tmp_path):
    _, vi = write(tmp_path, "vi")
    _, en = write(tmp_path, "en")
    assert vi.column_names_to_labels["sex"] == "Giới tính"
    assert en.column_names_to_labels["sex"] == "Sex"
    assert en.column_names_to_labels["submitted_at"] == "Submitted at (UTC)"
    assert en.variable_value_labels["a1_seating"][98] == "Don't know"
    assert en.variable_value_labels["sex"] == {1: "Male", 2: "Female", 3: "Other", **MISSING_EN}
    assert "Khảo sát mẫu" in vi.file_label and "Sample survey" in en.file_label
    assert "METHODOLOGY §3" in " ".join(vi.notes)  # the lines of one note, put together


def test_the_dossier_rating_file_says_its_stream(built, tmp_path):
    frame, meta = write(tmp_path, "vi", "dossier_rating")
    assert len(frame) == 5
    assert meta.file_label.startswith("Hailong: Đánh giá từng hồ sơ")
    assert meta.original_variable_types["rating"] == "F2.0"
    assert meta.variable_measure["rating"] == "ordinal"
    assert meta.variable_value_labels["rating"] == {
        1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng", **MISSING_VI}
    assert " ".join(meta.notes).count("không phải mẫu") == 1
    assert all(len(note.encode("utf-8")) <= 80 for note in meta.notes)


def test_the_codebook_gives_the_spss_number_of_each_choice(built, tmp_path):
    """The CSV codebook that goes with a .sav names the number each choice code became."""
    _, meta = write(tmp_path)
    table = exports.export_table(Scope(stream="survey"))
    lines = list(exports.writers.codebook_rows(table.columns))
    at = lines[0].index("spss_numbers")
    for item, options in data.land_choices().items():
        line = next(line for line in lines if line[0] == item)
        pairs = dict(pair.split("=") for pair in line[at].split("; "))
        assert pairs == {code: str(n) for n, (code, _, _) in enumerate(options, start=1)}
        for code, vi, _ in options:
            assert meta.variable_value_labels[item][int(pairs[code])] == vi


def test_a_multiple_choice_item_gets_one_0_1_variable_per_choice(tmp_path):
    """SPSS's multiple-dichotomy layout beside the codes' text: 1 chosen, 0 not chosen, and a
    respondent without an answer missing in every dichotomy (never counted as "not chosen")."""
    from survey.services.exports.sav import write_sav
    from survey.services.exports.table import Column

    columns = [
        Column("response_id", "Mã phiếu", "Response id", "envelope"),
        Column("services", "Dịch vụ đã dùng", "Services used", "multi_choice", values={
            "land": ("Đất đai", "Land"), "id-card": ("Căn cước", "ID card"),
            "marriage": ("Kết hôn", "Marriage")}),
    ]
    rows = [("r1", "land marriage"), ("r2", "id-card"), ("r3", None), ("r4", "refused")]
    out = tmp_path / "multi.sav"
    assert write_sav(columns, rows, out, "vi") == 4
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert list(frame.columns) == ["response_id", "services", "services_land",
                                   "services_id_card", "services_marriage"]
    assert list(frame["services"]) == ["land marriage", "id-card", "", "99"]
    expected = {"services_land": [1, 0, None, 99], "services_id_card": [0, 1, None, 99],
                "services_marriage": [1, 0, None, 99]}
    for name, values in expected.items():
        got = [None if pd.isna(v) else int(v) for v in frame[name]]
        assert got == values, name
        assert meta.variable_value_labels[name] == {0: "không chọn", 1: "có chọn", **MISSING_VI}
        assert meta.variable_measure[name] == "nominal"
        assert meta.original_variable_types[name] == "F2.0"
        assert {r["lo"] for r in meta.missing_ranges[name]} == {97, 98, 99}
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["services_id_card"] == "Dịch vụ đã dùng: Căn cước"
    # SPSS counts the two who answered (one chose land); the blank and the refusal are out
    plain, _ = pyreadstat.read_sav(str(out))  # user-missing read as missing
    assert plain["services_land"].count() == 2 and plain["services_land"].sum() == 1
