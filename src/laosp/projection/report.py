"""Projection results as a rich table, JSON or CSV."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from laosp.presentation.cells import inert_text
from laosp.projection.result import ProjectionResult
from laosp.projection.workbook import assumption_rows

BILLION = 1e9


def _bn(value: float) -> str:
    return f"{value / BILLION:,.1f}"


def summary_table(result: ProjectionResult) -> Table:
    info = result.scenario.scenario
    table = Table(title=f"{info.name}: {info.title}".rstrip(": "), title_justify="left")
    headings = (
        "Year / ປີ",
        "SP spending, bn LAK / ຕື້ກີບ",
        "US$ m",
        "% GDP",
        "% gov. exp. / % ລາຍຈ່າຍລັດ",
        "Budget / ງົບປະມານ, bn",
        "Partners / ຄູ່ຮ່ວມ, bn",
        "Contrib. / ເງິນສົມທົບ, bn",
        "NHI balance / ດຸນຍະພາບ, bn",
        "NHI closing / ເງິນໂອນ, bn",
    )
    for heading in headings:
        table.add_column(heading, justify="right")
    for row in result.summary().iter_rows(named=True):
        table.add_row(
            str(row["year"]),
            _bn(row["spending_lak"]),
            f"{row['spending_usd'] / 1e6:,.1f}",
            f"{row['spending_pct_gdp']:.2f}",
            f"{row['spending_pct_government']:.2f}",
            _bn(row["financed_domestic_lak"] + row["contribution_subsidy_lak"]),
            _bn(row["financed_external_lak"]),
            _bn(row["financed_contributions_lak"]),
            _bn(row.get("nhi_balance_lak") or 0),
            _bn(row.get("nhi_closing_transfer_lak") or 0),
        )
    return table


def schemes_table(result: ProjectionResult) -> Table:
    table = Table(title="Cost by scheme, bn LAK / ຄ່າໃຊ້ຈ່າຍຕາມໂຄງການ, ຕື້ກີບ", title_justify="left")
    table.add_column("Year / ປີ", justify="right")
    for scheme in result.schemes.values():
        table.add_column(f"{scheme.name_lo}\n{scheme.name}".strip(), justify="right")
    for i, year in enumerate(result.years):
        table.add_row(str(year), *(_bn(float(s.cost[i])) for s in result.schemes.values()))
    return table


def provenance_table(result: ProjectionResult) -> Table | None:
    """The values taken from the policy pack or the registry, and the overrides."""
    provenance = result.scenario.provenance
    if provenance is None or not provenance.facts:
        return None
    table = Table(
        title="From the policy pack and the registry; overrides / ຈາກຊຸດນະໂຍບາຍ ແລະ ທະບຽນ",
        title_justify="left",
    )
    for heading in ("Assumption / ສົມມຸດຕິຖານ", "Value / ຄ່າ", "Source / ແຫຼ່ງຂໍ້ມູນ"):
        table.add_column(heading, overflow="fold")
    for fact in provenance.facts:
        table.add_row(fact.key, fact.value, fact.describe())
    return table


def comparison_table(results: Sequence[ProjectionResult]) -> Table:
    first = results[0]
    table = Table(
        title="Comparison / ການປຽບທຽບ (SP spending, % GDP and bn LAK)", title_justify="left"
    )
    table.add_column("Year / ປີ", justify="right")
    for result in results:
        table.add_column(f"{result.scenario.scenario.name} % GDP", justify="right")
        table.add_column("bn LAK", justify="right")
        if result is not first:
            table.add_column("Δ bn LAK", justify="right")
    for i, year in enumerate(first.years):
        cells = [str(year)]
        for result in results:
            cells += [
                f"{100 * result.spending[i] / result.macro.gdp_nominal[i]:.2f}",
                _bn(float(result.spending[i])),
            ]
            if result is not first:
                cells.append(_bn(float(result.spending[i] - first.spending[i])))
        table.add_row(*cells)
    return table


def print_tables(results: Sequence[ProjectionResult], console: Console) -> None:
    for result in results:
        console.print(summary_table(result))
        console.print(schemes_table(result))
        if (facts := provenance_table(result)) is not None:
            console.print(facts)
    if len(results) > 1:
        console.print(comparison_table(results))


def as_json(results: Sequence[ProjectionResult]) -> str:
    def frame(df: pl.DataFrame) -> list[dict[str, Any]]:
        return df.to_dicts()

    payload = {
        "scenarios": [
            {
                "name": r.scenario.scenario.name,
                "title": r.scenario.scenario.title,
                "base_year": r.scenario.scenario.base_year,
                "summary": frame(r.summary()),
                "schemes": frame(r.schemes_frame()),
                "nhi_fund": frame(r.fund_frame()),
                "assumptions": [
                    {"assumption": key, "value": value, "source": source}
                    for key, value, source in assumption_rows(r)
                ],
            }
            for r in results
        ]
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def long_frame(results: Sequence[ProjectionResult]) -> pl.DataFrame:
    """scenario, scheme ('total' for the summary), year, variable, value."""
    parts = []
    for r in results:
        name = r.scenario.scenario.name
        summary = r.summary().with_columns(scheme=pl.lit("total"))
        for df in (summary, r.schemes_frame()):
            values = [c for c in df.columns if c not in ("scheme", "year")]
            parts.append(
                df.with_columns(pl.col(values).cast(pl.Float64), scenario=pl.lit(name)).unpivot(
                    index=["scenario", "scheme", "year"], on=values
                )
            )
    return pl.concat(parts)


def as_csv(results: Sequence[ProjectionResult]) -> str:
    return inert_text(long_frame(results)).write_csv()


def tracker_table(frame: pl.DataFrame, at: dt.date) -> Table:
    """The 2030 tracker (``registry_inputs.tracker``): names, never codes."""
    table = Table(
        title=f"Coverage against the 2030 promise at {at.isoformat()} / "
        "ຄວາມຄຸ້ມຄອງທຽບກັບເປົ້າໝາຍປີ 2030 (cost: benefits a year, bn LAK / ຕື້ກີບ)",
        title_justify="left",
    )
    for heading in (
        "Province / ແຂວງ",
        "Scheme / ໂຄງການ",
        "Eligible / ຜູ້ມີສິດ",
        "Enrolled / ລົງທະບຽນແລ້ວ",
        "Gap / ຊ່ອງຫວ່າງ",
        "Coverage / ຄວາມຄຸ້ມຄອງ",
        "Cost of the gap now / ຄ່າໃຊ້ຈ່າຍປະຈຸບັນ",
        "… in 2030 / ໃນປີ 2030",
    ):
        table.add_column(heading, justify="left" if "/ ແຂວງ" in heading else "right")
    for row in frame.iter_rows(named=True):
        coverage = row["coverage"]
        table.add_row(
            f"{row['province_lo']} / {row['province_en']}",
            f"{row['scheme_lo']} / {row['scheme_en']}",
            f"{row['eligible']:,}",
            f"{row['enrolled']:,}",
            f"{row['gap']:,}",
            "—" if coverage is None else f"{100 * coverage:.1f} %",
            "—" if row["annual_cost_lak"] is None else f"{row['annual_cost_lak'] / BILLION:,.3f}",
            "—" if row["cost_2030_lak"] is None else f"{row['cost_2030_lak'] / BILLION:,.3f}",
        )
    return table
