"""Aggregate views shared by the API and the dashboard: indicator rows with labels,
gap counts, the named gap list narrowed to an area, projection series.

Small cells: a role without ``read_small_cells`` (analysts, auditors) never sees a count
of 1 to ``Settings.small_cell_threshold - 1`` persons, nor a ratio computed from one; the
row keeps its place with the value ``null`` and ``"suppressed": true`` (``shown_to``).
A count of 0 names nobody and is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from laosp.access.permissions import Action, allows
from laosp.access.roles import Area, Principal
from laosp.api.analytics import Coverage, Projections
from laosp.indicators import gaps
from laosp.indicators.definitions import LABELS
from laosp.presentation.i18n import LANGS, Formatter
from laosp.projection.result import ProjectionResult

#: The indicators the overview shows, in order.
HEADLINE = (
    "sdg131.at_least_one",
    "sdg131.children",
    "sdg131.mothers_newborns",
    "sdg131.older",
    "health.covered",
)
#: The indicators of the overview's table: the headline ones, then unemployment (SDG
#: 8.5.2) and the Gini index before and after transfers (SDG 10.4.2).
OVERVIEW = (
    *HEADLINE,
    "sdg852.unemployment_rate",
    "sdg1042.gini_before",
    "sdg1042.gini_after",
)


#: The counts of an indicator row, and the value computed from them.
INDICATOR_COUNTS = ("numerator", "denominator")


def _small(value: Any, threshold: int) -> bool:
    return isinstance(value, int) and 0 < value < threshold


def suppress_small_cells(rows: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """``rows`` (indicator rows or gap counts) with every count below ``threshold`` set
    to ``None`` — in an indicator row also the ratio, and the numerator of a small
    denominator; each row says whether it was ``suppressed``."""
    out = []
    for row in rows:
        row = dict(row)
        if "count" in row:
            hidden = _small(row["count"], threshold)
            if hidden:
                row["count"] = None
        else:
            small = {name for name in INDICATOR_COUNTS if _small(row.get(name), threshold)}
            if "denominator" in small:  # a numerator within it tells as much
                small.add("numerator")
            hidden = bool(small)
            if hidden:
                row.update(dict.fromkeys(small), ratio=None)
        row["suppressed"] = hidden
        out.append(row)
    return out


def shown_to(
    principal: Principal, rows: list[dict[str, Any]], threshold: int
) -> list[dict[str, Any]]:
    """Aggregate ``rows`` as ``principal`` may see them: whole with ``read_small_cells``,
    else with small cells suppressed."""
    if allows(principal, Action.read_small_cells):
        return [{**row, "suppressed": False} for row in rows]
    return suppress_small_cells(rows, threshold)


def suppress_small_frame(frame: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """``suppress_small_cells`` on a whole frame (a report's tables): the same cells
    null, without the flag column, so that the renderers' columns stay as they are."""

    def small(name: str) -> pl.Expr:
        return (pl.col(name) > 0) & (pl.col(name) < threshold)

    if "count" in frame.columns:
        return frame.with_columns(
            pl.when(small("count")).then(None).otherwise(pl.col("count")).alias("count")
        )
    if not set(INDICATOR_COUNTS) <= set(frame.columns):
        return frame
    small_denominator = small("denominator").fill_null(False)
    hidden = small("numerator").fill_null(False) | small_denominator
    return frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(name)).alias(name)
        for name in ("numerator", "ratio")
    ).with_columns(
        pl.when(small_denominator).then(None).otherwise(pl.col("denominator")).alias("denominator")
    )


def reference_date(date: dt.date | None) -> dt.date:
    return date or dt.date.today()


def indicator_rows(frame: pl.DataFrame, indicators: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows ``indicator, label_en, label_lo, [province|district], numerator, denominator,
    ratio`` (of ``indicators`` only, when given)."""
    if indicators:
        frame = frame.filter(pl.col("indicator").is_in(indicators))
    rows = frame.to_dicts()
    for row in rows:
        row["label_en"], row["label_lo"] = LABELS.get(row["indicator"], (row["indicator"],) * 2)
    return rows


def with_scheme_names(frame: pl.DataFrame, coverage: Coverage) -> pl.DataFrame:
    """``frame`` with ``scheme_name_en`` and ``scheme_name_lo``: the names the policy
    pack gives its ``scheme`` codes (null where there is no scheme)."""
    names = {
        f"scheme_name_{lang}": {
            code: scheme.label(lang) for code, scheme in coverage.schemes.items()
        }
        for lang in ("en", "lo")
    }
    return frame.with_columns(
        pl.col("scheme").replace_strict(mapping, default=None, return_dtype=pl.String).alias(name)
        for name, mapping in names.items()
    )


#: The catalogue key of a unit's name in words (``person``: "Persons", ``household``:
#: "Households"), the same words as the briefs' and workbooks'.
UNIT_WORDS = "workbook.unit.{unit}"


def with_unit_names(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``unit_name_en`` and ``unit_name_lo``: its ``unit`` in words, from
    the catalogues."""
    words = {lang: Formatter(lang) for lang in LANGS}
    return frame.with_columns(
        pl.col("unit")
        .replace_strict(
            {unit: words[lang](UNIT_WORDS.format(unit=unit)) for unit in gaps.UNITS},
            return_dtype=pl.String,
        )
        .alias(f"unit_name_{lang}")
        for lang in LANGS
    )


def _in_area(frame: pl.DataFrame, province: str | None, district: str | None) -> pl.DataFrame:
    """The rows of ``frame`` (with a ``district`` column) in ``district``, else in
    ``province``, else all."""
    if district is not None:
        return frame.filter(pl.col("district") == district)
    if province is not None:
        return frame.filter(pl.col("district").str.slice(0, 2) == province)
    return frame


def gap_counts(coverage: Coverage, province: str | None = None) -> list[dict[str, Any]]:
    """Rows ``gap, scheme, unit, district, count, scheme_name_en, scheme_name_lo,
    unit_name_en, unit_name_lo`` (in ``province`` only, when given): ``count`` is of
    ``unit``, persons, or households for a scheme that enrols households."""
    listed = _in_area(coverage.gaps, province, None)
    counts = gaps.gap_counts(listed, ("district",), coverage.units)
    return with_unit_names(with_scheme_names(counts, coverage)).to_dicts()


def left_behind(
    coverage: Coverage, province: str | None = None, district: str | None = None
) -> list[dict[str, Any]]:
    """Rows ``gap, scheme, unit, count, scheme_name_en, scheme_name_lo, unit_name_en,
    unit_name_lo`` nationally (or in ``district``, or in ``province``): a scheme's line
    counts its ``unit``, so the lines do not add up to persons (``left_out`` does)."""
    listed = _in_area(coverage.gaps, province, district)
    counts = gaps.gap_counts(listed, units=coverage.units)
    return with_unit_names(with_scheme_names(counts, coverage)).to_dicts()


def left_out(
    coverage: Coverage, province: str | None = None, district: str | None = None
) -> dict[str, Any]:
    """The headline "eligible, not enrolled" nationally (or in ``district``, or in
    ``province``): ``gap, unit, count, unit_name_en, unit_name_lo``, the persons eligible
    for at least one scheme they are not enrolled in, each once (a member of an eligible
    household not enrolled in a household scheme is one of them)."""
    persons = _in_area(coverage.left_out, province, district)
    count = gaps.left_out_counts(persons)
    row = count.with_columns(pl.lit(gaps.NOT_ENROLLED).alias("gap"), pl.lit("person").alias("unit"))
    return with_unit_names(row.select("gap", "unit", "count")).to_dicts()[0]


def left_out_by(
    coverage: Coverage, place: str, province: str | None = None
) -> list[dict[str, Any]]:
    """The persons of ``left_out`` per ``place`` (``province`` or ``district``, in
    ``province`` only when given): rows ``<place>, count``."""
    persons = _in_area(coverage.left_out, province, None)
    return gaps.left_out_counts(persons, (place,)).to_dicts()


def named_gap_list(
    coverage: Coverage, area: Area, district: str | None, scheme: str | None
) -> pl.DataFrame:
    """The named gap list inside ``area`` (the caller checked ``area`` admits
    ``district``), of one district and one scheme (``uncovered`` for no scheme) when
    given."""
    listed = coverage.gaps
    if area.district_code is not None:
        listed = listed.filter(pl.col("district") == area.district_code)
    elif area.province_code is not None:
        listed = listed.filter(pl.col("district").str.slice(0, 2) == area.province_code)
    elif not area.everywhere:
        return listed.clear()
    if district is not None:
        listed = listed.filter(pl.col("district") == district)
    if scheme == "uncovered":
        listed = listed.filter(pl.col("scheme").is_null())
    elif scheme is not None:
        listed = listed.filter(pl.col("scheme") == scheme)
    return listed


def projection_rows(result: ProjectionResult) -> list[dict[str, Any]]:
    """Per year: ``year, spending_lak, spending_pct_gdp, nhi_balance_lak``."""
    summary = result.summary()
    if "nhi_balance_lak" not in summary.columns:
        summary = summary.with_columns(pl.lit(None, dtype=pl.Int64).alias("nhi_balance_lak"))
    return summary.select("year", "spending_lak", "spending_pct_gdp", "nhi_balance_lak").to_dicts()


def projection_view(projections: Projections) -> dict[str, Any]:
    def one(result: ProjectionResult) -> dict[str, Any]:
        info = result.scenario.scenario
        return {"name": info.name, "title": info.title, "years": projection_rows(result)}

    return {
        "default": one(projections.default),
        "policy": one(projections.policy),
        "computed_at": projections.computed_at.isoformat(),
    }
