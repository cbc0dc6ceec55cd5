"""The coverage brief as PDF: headline indicators, places (chart and table), sex and
age, formal work, who is left behind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from laosp.indicators.breakdowns import AGE_GROUPS
from laosp.indicators.definitions import LABELS as INDICATOR_LABELS
from laosp.indicators.gaps import NOT_ENROLLED, UNCOVERED
from laosp.reports.charts import BarRow, bar_chart
from laosp.reports.coverage import PLACE_INDICATORS, CoverageBrief, gap_total, place_names
from laosp.reports.document import BriefDocument
from laosp.reports.fonts import LaoFont
from laosp.reports.labels import Words

Cells = dict[tuple[Any, str], dict[str, Any]]


def _cells(frame: pl.DataFrame, key: str) -> Cells:
    return {(row[key], row["indicator"]): row for row in frame.to_dicts()}


def area_name(brief: CoverageBrief, words: Words) -> str:
    if brief.province is None:
        return words("national")
    names = place_names("province").get(brief.province, (brief.province, brief.province))
    return f"{words('province')} {words.place(names)}"


def footer_text(brief: CoverageBrief, words: Words) -> str:
    return (
        f"{words('source_registry')} ({words.number(brief.registry_persons)} "
        f"{words('workbook.unit.person').lower()}) · "
        f"{words('reference_date')}: {words.date(brief.at)} · "
        f"{words('computed_at')}: {words.datetime(brief.computed_at.isoformat())}"
    )


def _ratio(cells: Cells, key: Any, indicator: str, words: Words) -> str:
    row = cells.get((key, indicator))
    return words.percent(row["ratio"]) if row else "—"


def _denominator(cells: Cells, key: Any, indicator: str, words: Words) -> str:
    row = cells.get((key, indicator))
    return words.number(row["denominator"]) if row else "—"


def _headline(pdf: BriefDocument, brief: CoverageBrief, words: Words) -> None:
    pdf.heading(words("headline"))
    rows = [
        [
            words.pair(*INDICATOR_LABELS[row["indicator"]]),
            words.number(row["numerator"]),
            words.number(row["denominator"]),
            words.percent(row["ratio"]),
        ]
        for row in brief.headline.to_dicts()
    ]
    headings = [words("indicator"), words("numerator"), words("denominator"), words("coverage")]
    pdf.data_table(headings, rows, widths=(100, 25, 30, 25))


def _places(pdf: BriefDocument, brief: CoverageBrief, words: Words) -> None:
    field = brief.place_field
    names = place_names(field)
    cells = _cells(brief.by_place, field)
    codes = sorted({code for code, _ in cells})
    not_enrolled = {row[field]: row["count"] for row in brief.left_out_by_place.to_dicts()}
    chart_height = 7.4 * len(codes) + 20  # keeps the heading with its chart
    pdf.heading(words("by_district" if field == "district" else "by_province"), chart_height)
    series = (words("sdg131_short"), words("health_short"))
    bars = []
    for code in codes:
        ratios = [
            cells[(code, "sdg131.at_least_one")]["ratio"],
            cells[(code, "health.covered")]["ratio"],
        ]
        bars.append(
            BarRow(
                words.place(names.get(code, (code, code))),
                ratios,
                [words.percent(r) for r in ratios],
            )
        )
    bar_chart(pdf, bars, series)
    headings = [
        words(field),
        words("persons"),
        *(words.pair(*INDICATOR_LABELS[item]) for item in PLACE_INDICATORS),
        words("workbook.left_out_short"),
    ]
    rows = [
        [
            words.place(names.get(code, (code, code))),
            _denominator(cells, code, "sdg131.at_least_one", words),
            *(_ratio(cells, code, item, words) for item in PLACE_INDICATORS),
            words.number(not_enrolled.get(code, 0)),
        ]
        for code in codes
    ]
    pdf.data_table(headings, rows, widths=(36, 20, 26, 26, 26, 26, 22), size=7.5)


def _groups(
    pdf: BriefDocument, title: str, groups: Sequence[tuple[Any, str]], cells: Cells, words: Words
) -> None:
    pdf.heading(title)
    headings = [
        words("group"),
        words("persons"),
        words("sdg131_short"),
        words("health_short"),
        words("employed"),
        words("injury_short"),
    ]
    rows = [
        [
            label,
            _denominator(cells, key, "sdg131.at_least_one", words),
            _ratio(cells, key, "sdg131.at_least_one", words),
            _ratio(cells, key, "health.covered", words),
            _denominator(cells, key, "sdg131.employment_injury", words),
            _ratio(cells, key, "sdg131.employment_injury", words),
        ]
        for key, label in groups
        if (key, "sdg131.at_least_one") in cells
    ]
    pdf.data_table(headings, rows, widths=(52, 22, 30, 26, 22, 28), size=8)


def _gaps(pdf: BriefDocument, brief: CoverageBrief, words: Words) -> None:
    """Per scheme, the units eligible and not enrolled (persons, or households for a
    scheme that enrols households); then each person eligible for at least one scheme
    they are not in, once, and the persons with no cover at all."""
    pdf.heading(words("gaps_heading"))
    rows = [
        [
            brief.scheme_name(row["scheme"], words.lang),
            words(f"workbook.unit.{row['unit']}"),
            words.number(row["count"]),
        ]
        for row in brief.gaps.filter(pl.col("gap") == NOT_ENROLLED).to_dicts()
    ]
    persons = words("workbook.unit.person")
    rows.append([words("workbook.left_out_persons"), persons, words.number(gap_total(brief))])
    rows.append([words(UNCOVERED), persons, words.number(gap_total(brief, UNCOVERED))])
    headings = [words("eligible_not_enrolled"), words("workbook.unit"), words("workbook.number")]
    pdf.data_table(headings, rows, widths=(110, 35, 35), align=("LEFT", "LEFT", "RIGHT"))
    pdf.paragraph(words("gaps_note"), 8)


def coverage_pdf(brief: CoverageBrief, words: Words, font: LaoFont) -> bytes:
    """The brief as a PDF document (bytes)."""
    title = words("coverage_title")
    pdf = BriefDocument(words, font, title, footer_text(brief, words))
    pdf.title_block(
        title, f"{area_name(brief, words)} · {words('reference_date')}: {words.date(brief.at)}"
    )
    headline = _cells(brief.headline.with_columns(pl.lit(None).alias("all")), "all")
    pdf.key_figures(
        [
            (_ratio(headline, None, "sdg131.at_least_one", words), words("sdg131_short")),
            (_ratio(headline, None, "health.covered", words), words("health_short")),
            (words.number(gap_total(brief)), words("workbook.left_out_short")),
            (words.number(gap_total(brief, UNCOVERED)), words(UNCOVERED)),
        ]
    )
    _headline(pdf, brief, words)
    _places(pdf, brief, words)
    sex = [("F", words("sex.F")), ("M", words("sex.M"))]
    _groups(pdf, words("by_sex"), sex, _cells(brief.by_sex, "sex"), words)
    ages = [(group, words.age_group(group)) for group in AGE_GROUPS]
    _groups(pdf, words("by_age_group"), ages, _cells(brief.by_age_group, "age_group"), words)
    formal = [(True, words("formal.true")), (False, words("formal.false"))]
    _groups(pdf, words("by_formal"), formal, _cells(brief.by_formal, "formal"), words)
    _gaps(pdf, brief, words)
    return pdf.to_bytes()
