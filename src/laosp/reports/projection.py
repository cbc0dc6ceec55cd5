"""The financing brief: cost and share of GDP to 2030 and 2040, the NHI fund balance,
the domestic / external financing mix, and one scenario against another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from laosp.projection.result import SOURCES, ProjectionResult
from laosp.reports.charts import Line, line_chart
from laosp.reports.document import BriefDocument
from laosp.reports.fonts import LaoFont
from laosp.reports.labels import Words
from laosp.reports.xlsx import Column, Sheet, Value, workbook_bytes

MILESTONES = (2030, 2035, 2040)
BILLION = 1_000_000_000


@dataclass(frozen=True)
class YearFigures:
    """One scenario's figures in one year (kip, and percent points for the ratios)."""

    year: int
    population: int
    spending_lak: int
    spending_pct_gdp: float
    spending_pct_government: float
    government_budget_lak: int
    nhi_balance_lak: int | None
    nhi_closing_transfer_lak: int | None
    financing_lak: dict[str, int]

    def share(self, source: str) -> float | None:
        return self.financing_lak[source] / self.spending_lak if self.spending_lak else None


@dataclass(frozen=True)
class ScenarioFigures:
    name: str
    title: str
    years: list[YearFigures]
    #: (field, "value: override of pack value X (parameter) / ...: source") for each
    #: value the scenario replaces in the policy pack: the brief shows them.
    overrides: tuple[tuple[str, str], ...] = ()
    #: The title in English and in Lao (``ScenarioInfo.titles``): what a reader sees.
    titles: tuple[str, str] = ("", "")

    def label(self, lang: str) -> str:
        english, lao = self.titles
        return (lao if lang == "lo" else english) or english or self.name

    def at(self, year: int) -> YearFigures:
        return next(item for item in self.years if item.year == year)


@dataclass(frozen=True)
class ProjectionBrief:
    scenarios: list[ScenarioFigures]
    key_years: list[int]
    computed_at: dt.datetime


def scenario_figures(result: ProjectionResult) -> ScenarioFigures:
    summary = result.summary()
    has_fund = "nhi_balance_lak" in summary.columns
    years = [
        YearFigures(
            year=row["year"],
            population=int(row["population"]),
            spending_lak=row["spending_lak"],
            spending_pct_gdp=row["spending_pct_gdp"],
            spending_pct_government=row["spending_pct_government"],
            government_budget_lak=row["government_budget_lak"],
            nhi_balance_lak=row["nhi_balance_lak"] if has_fund else None,
            nhi_closing_transfer_lak=row["nhi_closing_transfer_lak"] if has_fund else None,
            financing_lak={source: row[f"financed_{source}_lak"] for source in SOURCES},
        )
        for row in summary.to_dicts()
    ]
    info = result.scenario.scenario
    provenance = result.scenario.provenance
    overrides = tuple(
        (fact.key, f"{fact.value}: {fact.describe()}")
        for fact in (provenance.facts if provenance else [])
        if fact.origin == "override"
    )
    return ScenarioFigures(info.name, info.title or info.name, years, overrides, info.titles)


def projection_brief(results: Sequence[ProjectionResult]) -> ProjectionBrief:
    """The figures of one or two projections; key years: the first, 2030, 2035, 2040 and
    the last year that every projection covers."""
    scenarios = [scenario_figures(result) for result in results]
    common = set.intersection(*({item.year for item in s.years} for s in scenarios))
    wanted = {min(common), max(common), *(year for year in MILESTONES if year in common)}
    return ProjectionBrief(scenarios, sorted(wanted), dt.datetime.now(dt.UTC))


Row = tuple[str, Callable[[YearFigures], str]]


def _rows(words: Words) -> list[Row]:
    def billions(value: int | None) -> str:
        return words.billions(value)

    rows: list[Row] = [
        (words("population"), lambda y: words.number(y.population)),
        (words("spending"), lambda y: billions(y.spending_lak)),
        (words("pct_gdp"), lambda y: words.percent_points(y.spending_pct_gdp)),
        (words("pct_government"), lambda y: words.percent_points(y.spending_pct_government)),
        (words("government_budget"), lambda y: billions(y.government_budget_lak)),
        (words("nhi_balance"), lambda y: billions(y.nhi_balance_lak)),
        (words("nhi_closing_transfer"), lambda y: billions(y.nhi_closing_transfer_lak)),
    ]

    def share_of(source: str) -> Callable[[YearFigures], str]:
        return lambda figures: words.percent(figures.share(source))

    for source in ("domestic", "external", "contributions", "copayments"):
        rows.append((f"{words(f'source.{source}')} (%)", share_of(source)))
    return rows


def footer_text(brief: ProjectionBrief, words: Words) -> str:
    names = ", ".join(s.label(words.lang) for s in brief.scenarios)
    return (
        f"{words('source_projection')} · {words('scenario')}: {names} · "
        f"{words('computed_at')}: {words.datetime(brief.computed_at.isoformat())}"
    )


def projection_pdf(brief: ProjectionBrief, words: Words, font: LaoFont) -> bytes:
    title = words("projection_title")
    pdf = BriefDocument(words, font, title, footer_text(brief, words))
    first = brief.scenarios[0]
    last_year = brief.key_years[-1]
    pdf.title_block(title, " · ".join(s.label(words.lang) for s in brief.scenarios))
    figures = [
        (words.percent_points(first.at(year).spending_pct_gdp), f"{words('pct_gdp')}, {year}")
        for year in brief.key_years
        if year in (2030, last_year)
    ]
    figures.append(
        (
            words.billions(first.at(last_year).nhi_balance_lak),
            f"{words('nhi_balance')}, {last_year}",
        )
    )
    pdf.key_figures(figures)
    widths = (62, *(118 / len(brief.key_years),) * len(brief.key_years))
    for scenario in brief.scenarios:
        pdf.heading(f"{words('scenario')}: {scenario.label(words.lang)}", room=80)
        rows = [
            [label, *(value(scenario.at(year)) for year in brief.key_years)]
            for label, value in _rows(words)
        ]
        pdf.data_table([words("year"), *map(str, brief.key_years)], rows, widths, size=8)
        for key, text in scenario.overrides:
            pdf.paragraph(f"{key} = {text}", size=8)
    years = [item.year for item in first.years]
    pdf.heading(words("cost_chart"), room=80)
    lines = [
        Line(s.label(words.lang), [s.at(y).spending_pct_gdp for y in years])
        for s in brief.scenarios
    ]
    line_chart(pdf, years, lines, words.percent_points)
    pdf.heading(words("nhi_chart"), room=80)
    lines = [
        Line(s.label(words.lang), [_bn(s.at(y).nhi_balance_lak) for y in years])
        for s in brief.scenarios
    ]
    line_chart(pdf, years, lines, lambda v: words.number(v, 0))
    if len(brief.scenarios) == 2:
        _comparison(pdf, brief, words)
    return pdf.to_bytes()


def _bn(value: int | None) -> float | None:
    return None if value is None else value / BILLION


def _comparison(pdf: BriefDocument, brief: ProjectionBrief, words: Words) -> None:
    one, other = brief.scenarios
    first, second = one.label(words.lang), other.label(words.lang)
    years = [year for year in brief.key_years if year in (2030, 2040)] or brief.key_years[-1:]
    pdf.heading(words("comparison"), room=60)
    measures: list[tuple[str, Callable[[YearFigures], float | None], Callable[[float], str]]] = [
        (words("spending"), lambda y: _bn(y.spending_lak), lambda v: words.number(v, 1)),
        (words("pct_gdp"), lambda y: y.spending_pct_gdp, words.percent_points),
        (
            words("government_budget"),
            lambda y: _bn(y.government_budget_lak),
            lambda v: words.number(v, 1),
        ),
        (words("nhi_balance"), lambda y: _bn(y.nhi_balance_lak), lambda v: words.number(v, 1)),
        (
            words("source.external"),
            lambda y: _bn(y.financing_lak["external"]),
            lambda v: words.number(v, 1),
        ),
    ]
    headings = [words("item")]
    for year in years:
        headings += [f"{first} {year}", f"{second} {year}", f"{words('difference')} {year}"]
    rows = []
    for label, value, fmt in measures:
        cells = [label]
        for year in years:
            a, b = value(one.at(year)), value(other.at(year))
            cells += [
                _shown(a, fmt),
                _shown(b, fmt),
                _shown(None if a is None or b is None else b - a, fmt),
            ]
        rows.append(cells)
    widths = (44, *(136 / (3 * len(years)),) * (3 * len(years)))
    pdf.data_table(headings, rows, widths, size=7)
    pdf.paragraph(f"{words('unit_bn')} · {words('difference')} = {second} − {first}", 8)


def _shown(value: float | None, fmt: Callable[[float], str]) -> str:
    return "—" if value is None else fmt(value)


def projection_xlsx(brief: ProjectionBrief, words: Words) -> bytes:
    columns = [
        Column(words("scenario"), width=20),
        Column(words("year"), "year", 8),
        Column(words("population"), "int"),
        Column(f"{words('spending')} (LAK)", "int", 20),
        Column(words("pct_gdp"), "percent2"),  # a ratio, as in every workbook
        Column(words("pct_government"), "percent2"),
        Column(f"{words('government_budget')} (LAK)", "int", 20),
        Column(f"{words('nhi_balance')} (LAK)", "int", 20),
        Column(f"{words('nhi_closing_transfer')} (LAK)", "int", 20),
        *(Column(f"{words(f'source.{s}')} (LAK)", "int", 18) for s in SOURCES),
        *(Column(f"{words(f'source.{s}')} (%)", "percent") for s in SOURCES),
    ]
    rows: list[list[Value]] = [
        [
            s.label(words.lang),
            y.year,
            y.population,
            y.spending_lak,
            y.spending_pct_gdp / 100,
            y.spending_pct_government / 100,
            y.government_budget_lak,
            y.nhi_balance_lak,
            y.nhi_closing_transfer_lak,
            *(y.financing_lak[source] for source in SOURCES),
            *(y.share(source) for source in SOURCES),
        ]
        for s in brief.scenarios
        for y in s.years
    ]
    about = Sheet(
        words("about"),
        [Column(words("item"), width=28), Column(words("value"), width=70)],
        [
            [words("projection_title"), ", ".join(s.label(words.lang) for s in brief.scenarios)],
            [words("computed_at"), words.datetime(brief.computed_at.isoformat())],
            [words("source_projection"), ", ".join(s.label(words.lang) for s in brief.scenarios)],
            *(
                [f"{s.label(words.lang)}: {key}", text]
                for s in brief.scenarios
                for key, text in s.overrides
            ),
        ],
    )
    key = [row for row in rows if row[1] in brief.key_years]
    return workbook_bytes(
        [
            about,
            Sheet(words("key_years"), columns, key),
            Sheet(words("summary"), columns, rows),
        ]
    )
