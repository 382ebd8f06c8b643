"""The report's sections beside the open collection's figures, never pooled with them: the
five elements with the feedback cases' figures beside element E (#23), and the sampled
investigations' weighted results (#20). Plain data in, paragraphs and tables out."""

from __future__ import annotations

from survey.services.council_report import numbers as fmt
from survey.services.council_report.model import Section, Table
from survey.services.council_report.text import words


def _verdict(code: str | None, lang: str) -> str:
    return words(lang)["verdicts"].get(code, "–")


def elements_section(report: dict, lang: str, table_no: int) -> Section:
    """The elements' indices of the year; element E's row carries the feedback figures."""
    w, year = words(lang), report["year"]
    elements = report.get("elements") or []
    feedback = report.get("feedback")
    blocks: list = []
    if any(e.get("share") is not None for e in elements):
        blocks.append(w["elements_intro"].format(
            year=year, index=fmt.pct(report.get("elements_index"), lang)))
    else:
        blocks.append(w["elements_none"].format(year=year))
    if feedback:
        blocks.append(w["feedback_e"].format(
            year=year, cases=fmt.integer(feedback["cases"], lang),
            judged=fmt.integer(feedback["judged"], lang),
            on_time=fmt.integer(feedback["on_time"], lang),
            share=fmt.pct(feedback["share_on_time"], lang),
            days=fmt.number(feedback["median_days"], 1, lang)))
    else:
        blocks.append(w["feedback_none"].format(year=year))
    if elements:
        rows = []
        for e in elements:
            shown = not e.get("suppressed") and e.get("share") is not None
            on_time = days = "–"
            if e["element"] == "E" and feedback:
                on_time = (f"{fmt.integer(feedback['on_time'], lang)}/"
                           f"{fmt.integer(feedback['judged'], lang)} "
                           f"({fmt.pct(feedback['share_on_time'], lang)})")
                days = fmt.number(feedback["median_days"], 1, lang)
            rows.append((w["element_names"].get(e["element"], e["element"]),
                         fmt.integer(e.get("n"), lang),
                         fmt.pct(e["share"], lang) if shown else w["small_n"], on_time, days))
        blocks.append(Table(w["t_elements"].format(n=table_no),
                            (w["h_element"], w["h_n"], w["h_share"], w["h_cases_on_time"],
                             w["h_cases_days"]), tuple(rows), (3.2, 0.8, 1.3, 2.0, 1.6),
                            "elements"))
    return Section(w["s_elements"], tuple(blocks))


def _period(inv: dict, lang: str) -> str:
    def day(iso: str) -> str:
        y, m, d = iso.split("-")
        return f"{d}/{m}/{y}"

    return f"{day(inv['period_from'])}–{day(inv['period_to'])}"


def _figure_cells(row: dict | None, lang: str) -> tuple[str, ...]:
    w = words(lang)
    if row is None:
        return ("–",) * 6
    if row.get("suppressed") or row.get("estimate") is None:
        return (fmt.integer(row.get("n"), lang), w["small_n"], "–", "–", "–", "–")
    return (fmt.integer(row["n"], lang), fmt.pct(row["estimate"], lang),
            fmt.pct_range(row["ci_low"], row["ci_high"], lang),
            fmt.number(row["se"] * 100, 2, lang),
            fmt.number(row["deff"], 2, lang) if row.get("deff") is not None else "–",
            _verdict(row.get("verdict"), lang))


def investigation_section(report: dict, names: dict, lang: str,
                          table_no: int) -> tuple[Section | None, int]:
    """The year's investigations (None when there is none) and the next table number."""
    investigations = report.get("investigations") or []
    if not investigations:
        return None, table_no
    w = words(lang)
    blocks: list = [w["inv_intro"]]
    for inv in investigations:
        overall, index, sample = inv.get("overall"), inv.get("index"), inv["sample"]
        period = _period(inv, lang)
        if not sample.get("respondents"):
            blocks.append(w["inv_none"].format(name=inv["name"], period=period,
                                               sampled=fmt.integer(sample["sampled"], lang)))
            continue
        if overall is None or overall.get("estimate") is None:
            blocks.append(w["inv_small"].format(
                name=inv["name"], period=period,
                respondents=fmt.integer(sample.get("respondents", 0), lang)))
            continue
        blocks.append(w["inv_line"].format(
            name=inv["name"], period=period, sampled=fmt.integer(sample["sampled"], lang),
            respondents=fmt.integer(sample["respondents"], lang),
            rate=fmt.pct(sample.get("response_rate"), lang),
            share=fmt.pct(overall["estimate"], lang),
            ci=fmt.pct_range(overall["ci_low"], overall["ci_high"], lang),
            se=fmt.number(overall["se"] * 100, 2, lang),
            deff=fmt.number(overall["deff"], 2, lang) if overall.get("deff") else "–",
            verdict=_verdict(overall.get("verdict"), lang),
            index=fmt.pct(index["estimate"], lang) if index and index.get("estimate")
            is not None else "–"))
        weights = inv.get("weights") or {}
        if weights.get("uncovered_cells"):
            blocks.append(w["inv_uncovered"].format(coverage=fmt.pct(weights["coverage"], lang)))
        header = (w["h_measure"], w["h_n"], w["h_estimate"], w["h_ci"], w["h_se"], w["h_deff"],
                  w["h_verdict"])
        rows = [(w["inv_overall"], *_figure_cells(overall, lang)),
                (w["inv_index"], *_figure_cells(index, lang))]
        rows += [(w["element_names"].get(code, code), *_figure_cells(row, lang))
                 for code, row in sorted((inv.get("elements") or {}).items())]
        blocks.append(Table(w["t_investigation"].format(n=table_no, name=inv["name"]), header,
                            tuple(rows), (3, 0.8, 1.2, 1.7, 1.2, 1.1, 1.6),
                            f"investigation:{inv['code']}"))
        table_no += 1
        if inv.get("areas"):
            area_rows = tuple(
                (names["service_area"].get(r["code"], r["code"]), *_figure_cells(r, lang))
                for r in inv["areas"])
            blocks.append(Table(
                w["t_investigation_areas"].format(n=table_no, name=inv["name"]),
                (w["h_inv_area"], *header[1:]), area_rows, (3, 0.8, 1.2, 1.7, 1.2, 1.1, 1.6),
                f"investigation_areas:{inv['code']}"))
            table_no += 1
    return Section(w["s_investigation"], tuple(blocks)), table_no
