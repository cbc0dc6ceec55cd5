"""A reform on the live registry: who gains and who loses a scheme or money, by district.

The base pack and the reform pack (a second pack folder, or the base with parameter
overrides from a date) are each evaluated once on the whole registry frames, for the
outputs the scheme catalogue names (eligibility, amount, contribution) of the schemes
the reform can change (``changed_schemes``: those reading a changed parameter or
formula). The two results
are compared column by column: the units whose eligibility or monthly money changes, and
a summary by district and scheme (gainers, losers, change in money per month, for the
rest of the reform's first year and for a full year).

Money is what a unit receives (``amount``) or pays (``contribution``) while it qualifies
for the scheme; a unit that does not qualify counts as 0. The yearly figures hold the
monthly change at the evaluation date constant: persons ageing in or out later in the
year are not followed (the projection does that).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from laosp.reference.admin_units import districts, provinces
from laosp.rules.engine import evaluate
from laosp.rules.errors import PackError
from laosp.rules.fields import HOUSEHOLD, PERSON
from laosp.rules.pack import Key, Pack, Scheme
from laosp.rules.params import Parameter

#: The ids of each unit's frame.
ID = {PERSON: "person_id", HOUSEHOLD: "household_id"}
#: Columns of ``Diff.changes``, in order.
CHANGE_COLUMNS = (
    "scheme",
    "unit",
    "person_id",
    "household_id",
    "district_code",
    "eligible_before",
    "eligible_after",
    "amount_before",
    "amount_after",
    "contribution_before",
    "contribution_after",
    "change",
)
SUMMARY_KEYS = ("district_code", "scheme")
MAX_OVERRIDES = 20
TRUE_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class DiffError(ValueError):
    """A reform that cannot be compared (a date before the reform, an unknown district);
    ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Diff:
    """``changes``: one row per unit and scheme whose eligibility or money changes;
    ``summary``: per district and scheme; ``totals``: per scheme, national."""

    at: dt.date
    from_date: dt.date
    months_this_year: int
    changes: pl.DataFrame
    summary: pl.DataFrame
    totals: pl.DataFrame


# --- the reform --------------------------------------------------------------------


#: The fields the engine computes, and the stored field each comes from.
DERIVED_FROM = {"age": "birth_date", "age_months": "birth_date", "province_code": "district_code"}


def months_this_year(from_date: dt.date) -> int:
    """Whole calendar months left in the year from ``from_date`` (its own month counts
    when the reform starts on its first day): 1 January → 12, 15 March → 9."""
    return 13 - from_date.month if from_date.day == 1 else 12 - from_date.month


def _typed(parameter: Parameter, text: str) -> Any:
    """One item of ``parameter``'s kind read from ``text``."""
    text = text.strip()
    kind = parameter.kind
    if kind == "str":
        return text
    if kind == "bool":
        if text.lower() not in TRUE_WORDS:
            raise ValueError("true or false")
        return TRUE_WORDS[text.lower()]
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise ValueError("an integer" if kind == "int" else "a number") from None


def parse_value(parameter: Parameter, text: str) -> Any:
    """``text`` as a value of ``parameter``: a number, text or true/false; a list as
    ``a,b,c``; a lookup as ``code:value,code:value`` (or JSON)."""
    try:
        if text.strip().startswith(("[", "{")):
            return json.loads(text)
        if parameter.shape == "list":
            return [_typed(parameter, item) for item in text.split(",") if item.strip()]
        if parameter.shape == "lookup":
            pairs = [item.split(":", 1) for item in text.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("code:value pairs separated by commas")
            return {code.strip(): _typed(parameter, value) for code, value in pairs}
        return _typed(parameter, text)
    except (ValueError, json.JSONDecodeError) as error:
        unit = f" ({parameter.unit})" if parameter.unit else ""
        raise PackError(
            f"bad value {text!r}: expected {error}{unit}", name=parameter.name
        ) from None


def parse_assignments(pack: Pack, assignments: Iterable[str]) -> dict[str, Any]:
    """``NAME=VALUE`` texts (the CLI's ``--set``) as overrides of ``pack``'s parameters."""
    overrides: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise PackError(f"{assignment!r} is not NAME=VALUE")
        overrides[name] = parse_value(_parameter(pack, name), text)
    return overrides


def _parameter(pack: Pack, name: str) -> Parameter:
    parameter = pack.parameters.get(name)
    if parameter is None:
        close = sorted(p for p in pack.parameters if p.split(".")[0] == name.split(".")[0])
        hint = f"; parameters of {name.split('.')[0]}: {', '.join(close)}" if close else ""
        raise PackError(f"unknown parameter{hint}", name=name)
    return parameter


def _negative(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value < 0
    if isinstance(value, list):
        return any(_negative(v) for v in value)
    if isinstance(value, dict):
        return any(_negative(v) for v in value.values())
    return False


def with_reform(pack: Pack, overrides: Mapping[str, Any], from_date: dt.date) -> Pack:
    """``pack`` with ``overrides`` from ``from_date`` on; a PackError naming the parameter
    for an unknown name, a value of the wrong type or shape, or a negative number (no
    parameter of a pack is a negative amount, age, rate or count)."""
    if not overrides:
        raise PackError("no parameter changed: give at least one override")
    if len(overrides) > MAX_OVERRIDES:
        raise PackError(f"at most {MAX_OVERRIDES} overrides")
    for name, value in overrides.items():
        parameter = _parameter(pack, name)
        if isinstance(value, str) and (parameter.kind != "str" or parameter.shape != "scalar"):
            value = parse_value(parameter, value)
        if _negative(value):
            raise PackError("must not be negative", name=name)
        pack = pack.with_overrides({name: value}, from_date)
    return pack


# --- the comparison ----------------------------------------------------------------


def _schemes(base: Pack, reform: Pack) -> list[str]:
    return [*base.schemes, *(code for code in reform.schemes if code not in base.schemes)]


def _unit(base: Pack, reform: Pack, code: str) -> str:
    return (base.schemes.get(code) or reform.schemes[code]).unit


def _receives(scheme: Scheme) -> pl.Expr:
    """Whether a unit takes part in a scheme the catalogue knows only by its money."""
    money = [pl.col(o).fill_null(0) > 0 for o in (scheme.amount, scheme.contribution) if o]
    return pl.any_horizontal(money) if money else pl.lit(False)


def _money(scheme: Scheme, output: str | None, eligible: pl.Expr) -> pl.Expr:
    if output is None:
        return pl.lit(0, pl.Int64)
    return pl.when(eligible).then(pl.col(output).fill_null(0)).otherwise(0).cast(pl.Int64)


def _columns(pack: Pack, code: str, unit: str, suffix: str) -> list[pl.Expr]:
    """Eligible, amount and contribution of scheme ``code`` as whole-column expressions
    on an evaluation's frame (not eligible and 0 when ``pack`` has no such scheme)."""
    scheme = pack.schemes.get(code)
    if scheme is None or scheme.unit != unit:
        eligible = pl.lit(False)
        amount = contribution = pl.lit(0, pl.Int64)
    else:
        eligible = scheme.eligibility.expr() if scheme.eligibility else _receives(scheme)
        amount = _money(scheme, scheme.amount, eligible)
        contribution = _money(scheme, scheme.contribution, eligible)
    return [
        eligible.alias(f"eligible_{suffix}"),
        amount.alias(f"amount_{suffix}"),
        contribution.alias(f"contribution_{suffix}"),
    ]


def _aligned(before: pl.DataFrame, after: pl.DataFrame, key: str) -> pl.DataFrame:
    """``after`` in the row order of ``before`` (both evaluations keep the order of the
    input frames; a join only when they do not)."""
    if before.height == after.height and before[key].equals(after[key]):
        return after
    return before.select(key).join(after, on=key, how="left", maintain_order="left")


def _changes_of_unit(
    base: Pack,
    reform: Pack,
    codes: list[str],
    unit: str,
    before: pl.DataFrame,
    after: pl.DataFrame,
    homes: pl.DataFrame,
) -> list[pl.DataFrame]:
    """The changed rows of every scheme of ``unit``. ``homes``: each row's household and
    district, in the order of the input frame."""
    key = ID[unit]
    after = _aligned(before, after, key)
    found = []
    for code in codes:
        frame = pl.concat(
            [
                homes,
                before.select(_columns(base, code, unit, "before")),
                after.select(_columns(reform, code, unit, "after")),
            ],
            how="horizontal",
        ).filter(
            (pl.col("eligible_before") != pl.col("eligible_after"))
            | (pl.col("amount_before") != pl.col("amount_after"))
            | (pl.col("contribution_before") != pl.col("contribution_after"))
        )
        found.append(frame.with_columns(pl.lit(code).alias("scheme"), pl.lit(unit).alias("unit")))
    return found


def _change() -> pl.Expr:
    before, after = pl.col("eligible_before"), pl.col("eligible_after")
    money = pl.col("amount_after") - pl.col("amount_before")
    return (
        pl.when(after & ~before)
        .then(pl.lit("gains"))
        .when(before & ~after)
        .then(pl.lit("loses"))
        .when(money > 0)
        .then(pl.lit("more"))
        .when(money < 0)
        .then(pl.lit("less"))
        .otherwise(pl.lit("contribution"))
        .alias("change")
    )


def _reads(pack: Pack, names: Iterable[str]) -> tuple[set[Key], set[str]]:
    """The outputs (with everything they read, transitively) and the parameters behind
    the outputs ``names``."""
    stack = [key for key in pack.outputs if key[0] in set(names)]
    keys: set[Key] = set()
    while stack:
        key = stack.pop()
        if key not in keys:
            keys.add(key)
            stack.extend(pack.outputs[key].deps)
    params = {p for key in keys for p in pack.outputs[key].params}
    return keys, params


def _scheme_names(scheme: Scheme | None) -> list[str]:
    if scheme is None:
        return []
    named = (scheme.eligibility.output if scheme.eligibility else None, scheme.amount)
    return [name for name in (*named, scheme.contribution) if name is not None]


def _values(parameter: Parameter | None) -> Any:
    if parameter is None:
        return None
    return [(v.start, v.value) for v in parameter.values]


def fields_read(base: Pack, reform: Pack) -> dict[str, set[str]]:
    """The stored registry fields, by entity, that ``compare`` reads: those the changed
    schemes' outputs read (transitively), a derived field (age, province) by the stored
    one it comes from, and the keys. A reform of one scheme reads a few columns of the
    registry, not all of them."""
    needed: dict[str, set[str]] = {
        PERSON: {"person_id", "household_id"},
        HOUSEHOLD: {"household_id", "district_code"},
    }
    codes = changed_schemes(base, reform)
    for pack in (base, reform):
        names = {n for code in codes for n in _scheme_names(pack.schemes.get(code))}
        keys, _ = _reads(pack, names)
        for key in keys:
            for field, entity in pack.outputs[key].fields:
                needed[entity].add(DERIVED_FROM.get(field, field))
    return needed


def columns_to_read(base: Pack, reform: Pack) -> dict[str, set[str]]:
    """``fields_read`` by registry table, for ``load_snapshot(only=...)``."""
    needed = fields_read(base, reform)
    return {"persons": needed[PERSON], "households": needed[HOUSEHOLD]}


def changed_schemes(base: Pack, reform: Pack) -> list[str]:
    """The schemes whose outputs can differ between the two packs: a scheme, a formula it
    reads (transitively), a parameter behind them or its namespace's in-force period
    differs. Only these are evaluated: a reform of one parameter costs the evaluation of
    the schemes that read it, not of the whole pack."""
    found = []
    for code in _schemes(base, reform):
        one, other = base.schemes.get(code), reform.schemes.get(code)
        if one != other:
            found.append(code)
            continue
        assert one is not None
        keys, params = _reads(base, _scheme_names(one))
        other_keys, other_params = _reads(reform, _scheme_names(one))
        same = (
            keys == other_keys
            and params == other_params
            and all(
                base.outputs[k].formula == reform.outputs[k].formula
                and base.outputs[k].type == reform.outputs[k].type
                for k in keys
            )
            and all(_values(base.parameters[p]) == _values(reform.parameters[p]) for p in params)
            and all(
                base.periods.get(ns) == reform.periods.get(ns)
                for ns in {base.outputs[k].namespace for k in keys}
            )
        )
        if not same:
            found.append(code)
    return found


def compare(
    base: Pack,
    reform: Pack,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    at: dt.date,
    from_date: dt.date | None = None,
) -> Diff:
    """Evaluate ``base`` and ``reform`` on the registry frames at ``at`` and compare.
    ``from_date`` (default ``at``) is when the reform starts: the months it runs this
    year. ``households`` needs ``district_code``."""
    from_date = from_date or at
    codes = changed_schemes(base, reform)
    by_unit = {u: [c for c in codes if _unit(base, reform, c) == u] for u in (PERSON, HOUSEHOLD)}
    results = []
    for pack in (base, reform) if codes else ():
        names = sorted({n for code in codes for n in _scheme_names(pack.schemes.get(code))})
        results.append(evaluate(pack, persons, households, at, names))
    district_of = households.select("household_id", "district_code")
    home_frames = {
        PERSON: persons.select("person_id", "household_id"),
        HOUSEHOLD: households.select("household_id"),
    }
    parts: list[pl.DataFrame] = []
    for unit, unit_codes in by_unit.items():
        if not unit_codes:
            continue
        before, after = ((r.persons if unit == PERSON else r.households) for r in results)
        homes = home_frames[unit]
        if not before[ID[unit]].equals(homes[ID[unit]]):  # evaluate keeps the input order
            homes = before.select(ID[unit]).join(homes, on=ID[unit], how="left")
        parts += _changes_of_unit(base, reform, unit_codes, unit, before, after, homes)
    changes = (
        pl.concat(parts, how="diagonal_relaxed")
        if parts
        else pl.DataFrame(schema={"household_id": pl.String})
    )
    changes = (
        changes.join(district_of, on="household_id", how="left")
        .with_columns(
            pl.col("person_id")
            if "person_id" in changes.columns
            else pl.lit(None, pl.String).alias("person_id")
        )
        .with_columns(_change())
        .select(CHANGE_COLUMNS)
        if changes.height
        else _empty_changes()
    )
    months = months_this_year(from_date)
    summary = _summarise(changes, [*SUMMARY_KEYS], months)
    totals = _summarise(changes, ["scheme"], months)
    return Diff(at, from_date, months, changes, summary, totals)


def _empty_changes() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(CHANGE_COLUMNS, pl.String)
    for name in ("eligible_before", "eligible_after"):
        schema[name] = pl.Boolean
    for name in ("amount_before", "amount_after", "contribution_before", "contribution_after"):
        schema[name] = pl.Int64
    return pl.DataFrame(schema=schema)


def _summarise(changes: pl.DataFrame, by: list[str], months: int) -> pl.DataFrame:
    before, after = pl.col("eligible_before"), pl.col("eligible_after")
    money = (pl.col("amount_after") - pl.col("amount_before")).sum()
    paid = (pl.col("contribution_after") - pl.col("contribution_before")).sum()
    return (
        changes.group_by(by)
        .agg(
            pl.col("unit").first(),
            (after & ~before).sum().cast(pl.Int64).alias("gainers"),
            (before & ~after).sum().cast(pl.Int64).alias("losers"),
            ((before == after) & (pl.col("amount_after") != pl.col("amount_before")))
            .sum()
            .cast(pl.Int64)
            .alias("amount_changed"),
            money.cast(pl.Int64).alias("money_month"),
            paid.cast(pl.Int64).alias("contribution_month"),
        )
        .with_columns(
            (pl.col("money_month") * months).alias("money_this_year"),
            (pl.col("money_month") * 12).alias("money_full_year"),
            (pl.col("contribution_month") * months).alias("contribution_this_year"),
            (pl.col("contribution_month") * 12).alias("contribution_full_year"),
        )
        .sort(by)
    )


# --- presentation ------------------------------------------------------------------


def in_district(diff: Diff, district_code: str) -> Diff:
    """``diff`` narrowed to one district (its totals those of the district)."""
    changes = diff.changes.filter(pl.col("district_code") == district_code)
    summary = diff.summary.filter(pl.col("district_code") == district_code)
    totals = _summarise(changes, ["scheme"], diff.months_this_year)
    return Diff(diff.at, diff.from_date, diff.months_this_year, changes, summary, totals)


def scheme_names(base: Pack, reform: Pack) -> pl.DataFrame:
    """``scheme``, ``scheme_name_en``, ``scheme_name_lo`` of every scheme of either pack."""
    codes = _schemes(base, reform)
    schemes = [base.schemes.get(code) or reform.schemes[code] for code in codes]
    return pl.DataFrame(
        {
            "scheme": codes,
            "scheme_name_en": [s.label("en") for s in schemes],
            "scheme_name_lo": [s.label("lo") for s in schemes],
        }
    )


def place_names() -> pl.DataFrame:
    """``district_code`` with the district's and its province's names in both languages."""
    province = {row.code: row for row in provinces()}
    rows = districts()
    return pl.DataFrame(
        {
            "district_code": [row.code for row in rows],
            "district_name_en": [row.name_en for row in rows],
            "district_name_lo": [row.name_lo for row in rows],
            "province_name_en": [province[row.province_code].name_en for row in rows],
            "province_name_lo": [province[row.province_code].name_lo for row in rows],
        },
        schema_overrides={"district_code": pl.String},
    )


def named(frame: pl.DataFrame, base: Pack, reform: Pack) -> pl.DataFrame:
    """``frame`` (changes or a summary) with scheme and place names beside the codes."""
    frame = frame.join(scheme_names(base, reform), on="scheme", how="left")
    if "district_code" in frame.columns:
        frame = frame.join(place_names(), on="district_code", how="left")
    return frame


def with_person_names(changes: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """``changes`` with ``given_name``/``family_name``: the person's, or for a household
    the head's. ``persons``: person_id, household_id, relationship, given_name,
    family_name of (at least) the households listed."""
    people = persons.select(
        "person_id",
        "household_id",
        pl.col("relationship").cast(pl.String),
        "given_name",
        "family_name",
    )
    heads = (
        people.filter(pl.col("relationship") == "head")
        .unique("household_id", keep="first")
        .select(
            "household_id",
            pl.col("given_name").alias("head_given"),
            pl.col("family_name").alias("head_family"),
        )
    )
    return (
        changes.join(
            people.select("person_id", "given_name", "family_name"), on="person_id", how="left"
        )
        .join(heads, on="household_id", how="left")
        .with_columns(
            pl.coalesce("given_name", "head_given").alias("given_name"),
            pl.coalesce("family_name", "head_family").alias("family_name"),
        )
        .drop("head_given", "head_family")
    )
