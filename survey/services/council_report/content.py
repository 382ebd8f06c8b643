"""Figures → the report's sentences and tables (plain data, no layout, no Flask).

`build(report, names, settings, lang, today)` takes what `survey.dashboard.report`
computes (one year's rows with their intervals, changes and verdicts; the five-year series;
the PAR INDEX series) and writes the document both writers lay out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from survey.services.council_report import beside
from survey.services.council_report import numbers as fmt
from survey.services.council_report.model import (
    Chart,
    Document,
    Header,
    Section,
    Signature,
    Table,
)
from survey.services.council_report.settings import Settings
from survey.services.council_report.text import words

MIN_N = 30  # docs/METHODOLOGY.md §6: the smallest group a figure is published for


def verdict_word(code: str | None, lang: str) -> str:
    return words(lang)["verdicts"].get(code, "–")


def _significance(row: dict, w: dict) -> str:
    return w["significant"] if row.get("significant") else w["not_significant"]


def headline_paragraphs(report: dict, lang: str) -> list[str]:
    """The overall result, its verdict and its change, in sentences."""
    w, year, h = words(lang), report["year"], report.get("headline")
    target = fmt.pct(report["benchmark"], lang, 0)
    if not too_little(report):
        out = [w["headline"].format(year=year, share=fmt.pct(h["share"], lang),
                                    ci=fmt.pct_range(h["ci_low"], h["ci_high"], lang),
                                    n=fmt.integer(h["n"], lang)),
               w["verdict"].format(target=target, verdict=verdict_word(h["verdict"], lang),
                                   lower=fmt.pct(h["benchmark_lower"], lang))]
        if h.get("delta") is not None:
            direction = "up" if h["delta"] > 0 else "down" if h["delta"] < 0 else "same"
            out.append(w["change"].format(
                prev=year - 1, prev_share=fmt.pct(h["previous_share"], lang),
                direction=w[direction], delta=fmt.number(abs(h["delta"]) * 100, 1, lang),
                low=fmt.points(h["delta_ci_low"], lang), high=fmt.points(h["delta_ci_high"], lang),
                significance=_significance(h, w), p=fmt.p_relation(h["p_adjusted"], lang)))
        else:
            out.append(w["no_change"].format(prev=year - 1))
        return out
    return [w["too_little"].format(year=year, n=fmt.integer(h["n"] if h else 0, lang),
                                   min_n=MIN_N)]


def too_little(report: dict) -> bool:
    h = report.get("headline")
    return h is None or h.get("suppressed") or h.get("share") is None


def group_sentence(row: dict, name: str, lang: str) -> str:
    w = words(lang)
    if row.get("share") is None:
        key = "group_hidden_beside" if (row.get("n") or 0) >= MIN_N else "group_hidden"
        return w[key].format(name=name, n=fmt.integer(row["n"], lang))
    text = w["group_line"].format(name=name, share=fmt.pct(row["share"], lang),
                                  ci=fmt.pct_range(row["ci_low"], row["ci_high"], lang),
                                  n=fmt.integer(row["n"], lang),
                                  verdict=verdict_word(row.get("verdict"), lang))
    if row.get("delta") is not None:
        text += w["group_change"].format(delta=fmt.points(row["delta"], lang),
                                         significance=_significance(row, w))
    return text + "."


def _survey_cells(row: dict, lang: str) -> tuple[str, ...]:
    w = words(lang)
    if row.get("share") is None:
        return (fmt.integer(row["n"], lang), w["small_n"], "–", "–", "–", "–")
    significant = "–" if row.get("significant") is None else (
        w["yes"] if row["significant"] else w["no"])
    return (fmt.integer(row["n"], lang), fmt.pct(row["share"], lang),
            fmt.pct_range(row["ci_low"], row["ci_high"], lang), fmt.points(row.get("delta"), lang),
            significant, verdict_word(row.get("verdict"), lang))


def group_table(rows: list[dict], key: str, names: dict, caption: str, head: str,
                lang: str) -> Table:
    w = words(lang)
    header = (w[head], w["h_n"], w["h_share"], w["h_ci"], w["h_delta"], w["h_sig"],
              w["h_verdict"])
    body = tuple((names.get(r[key], r[key]),) + _survey_cells(r, lang) for r in rows)
    return Table(caption, header, body, (3, 1, 1.3, 1.7, 1.2, 1.1, 1.7), key)


def appendix_table(report: dict, names: dict, lang: str) -> Table:
    w = words(lang)
    header = (w["h_procedure_group"], w["h_n"], w["h_share"], w["h_ci"], w["h_verdict"],
              w["h_received"], w["h_resolved"], w["h_on_time"])
    body = []
    for row in report["appendix"]:
        n, share, ci, _delta, _sig, verdict = _survey_cells(row, lang)
        d = row.get("dossiers") or {}
        body.append((names.get(row["procedure_group"], row["procedure_group"]), n, share, ci,
                     verdict, fmt.integer(d.get("received"), lang),
                     fmt.integer(d.get("resolved"), lang), fmt.pct(d.get("on_time_rate"), lang)))
    return Table(w["t_appendix"], header, tuple(body), (2.7, 0.7, 1.1, 2.0, 1.5, 1.2, 1.2, 1.1),
                 "appendix")


def par_section(par: list[dict], lang: str, chart: bytes | None, table_no: int = 3) -> Section:
    w = words(lang)
    if not par:
        return Section(w["s_par"], (w["par_none"],))
    last = par[-1]
    rank = w["par_rank"].format(rank=last["rank"]) if last.get("rank") else ""
    blocks: list = [w["par_latest"].format(year=last["year"],
                                           score=fmt.number(last["score"], 2, lang), rank=rank)]
    breaks = [str(p["year"]) for p in par if p["method_break"] and p is not par[0]]
    if breaks:
        blocks.append(w["par_breaks"].format(years=", ".join(breaks)))
    rows = tuple((str(p["year"]), fmt.number(p["score"], 2, lang),
                  str(p["rank"]) if p.get("rank") else "–",
                  w["par_break_note"] if p["method_break"] else "") for p in par)
    blocks.append(Table(w["t_par"].format(n=table_no),
                        (w["h_year"], w["h_score"], w["h_rank"], w["h_note"]), rows,
                        (1, 1, 1, 3), "par"))
    if chart:
        blocks.append(Chart(w["chart_par"], chart))
    return Section(w["s_par"], tuple(blocks))


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def numbered(sections) -> tuple[Section, ...]:
    """The sections present, headed I., II., … in order (a section may be absent)."""
    present = [s for s in sections if s is not None]
    return tuple(replace(s, heading=f"{ROMAN[i]}. {s.heading}") for i, s in enumerate(present))


def header(settings: Settings, lang: str, today: date) -> Header:
    w = words(lang)
    number = settings.number or "\u00a0" * 8
    when = fmt.en_date(today) if lang == "en" else fmt.vi_date(today)
    return Header(w["motto"], w["slogan"], settings.parent_issuer, settings.issuer,
                  w["number"].format(number=number, symbol=settings.symbol),
                  f"{settings.place or '…………'}, {when}")


def build(report: dict, names: dict, settings: Settings, lang: str = "vi",
          today: date | None = None, charts: dict[str, bytes] | None = None) -> Document:
    """The whole document. `charts` holds PNGs by name (series, areas, par), if drawn."""
    w, year, charts = words(lang), report["year"], charts or {}
    today = today or date.today()
    first = min((r["year"] for r in report.get("series", [])), default=year)
    notes = []
    if report.get("partial"):
        notes.append(w["partial"].format(year=year))
    general: list = [*notes, *headline_paragraphs(report, lang)]
    target = fmt.pct(report["benchmark"], lang, 0)
    if charts.get("series"):
        general.append(Chart(w["chart_series"].format(first=first, last=year, target=target),
                             charts["series"]))
    areas: list = [group_sentence(r, names["service_area"].get(r["service_area"],
                                                               r["service_area"]), lang)
                   for r in report["areas"]]
    areas.append(group_table(report["areas"], "service_area", names["service_area"],
                             w["t_areas"], "h_area", lang))
    if charts.get("areas"):
        areas.append(Chart(w["chart_areas"].format(first=first, last=year), charts["areas"]))
    people: list = [group_sentence(r, names["respondent_type"].get(r["respondent_type"],
                                                                   r["respondent_type"]), lang)
                    for r in report["respondents"]]
    people.append(group_table(report["respondents"], "respondent_type",
                              names["respondent_type"], w["t_respondents"], "h_type", lang))
    # Tables 1 and 2 are the areas and the respondents; the rest are numbered in order.
    investigation, next_table = beside.investigation_section(report, names, lang, 4)
    method = (*w["method"], w["views"][report.get("view", "today")])
    if investigation is not None:
        method += (w["inv_method"],)
    sections = numbered((
        Section(w["s_general"], tuple(general)),
        Section(w["s_areas"], tuple(areas)),
        Section(w["s_respondents"], tuple(people)),
        beside.elements_section(report, lang, 3),
        investigation,
        par_section(report.get("par", []), lang, charts.get("par"), next_table),
        Section(w["s_method"], method),
    ))
    appendix = Section(w["s_appendix"], (w["appendix_intro"].format(year=year),
                                         appendix_table(report, names["procedure_group"],
                                                        lang)))
    place_kind = ("thành phố" if settings.city else "tỉnh") if lang != "en" else (
        "city" if settings.city else "provincial")
    recipients = settings.recipients or tuple(r.format(place_kind=place_kind)
                                              for r in w["recipients"])
    signature = Signature(settings.signer_authority or w["authority"],
                          settings.signer_position or w["position"], w["sign_note"],
                          settings.signer_name or w["name_placeholder"])
    return Document(lang, header(settings, lang, today), w["kind"], w["title"].format(year=year),
                    sections, signature, w["recipients_label"], recipients,
                    w["file"].format(year=year), appendix, tuple(notes))
