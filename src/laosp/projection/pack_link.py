"""Scenario schemes read their scheme facts from the policy pack.

A scenario scheme whose code is a scheme of the pack takes from the pack its name and
Lao name, its benefit amount (the one parameter behind the scheme's ``amount`` output,
as dated values), its start (and end) year and its areas (the provinces of its
namespace's ``districts`` parameter, or its ``provinces`` parameter). The scenario file
keeps only what the pack does not hold (take-up, administration, financing, indexation,
eligible shares...). A scenario may replace a pack value, but only explicitly::

    benefit: {amount: 200000, override: true, source: "..."}
    start_year: {value: 2027, override: true, source: "..."}
    eligibility: {provinces: {value: ["02"], override: true, source: "..."}, ...}

Writing a pack value without ``override: true`` is an error (the restated copies went
out of date). Each value taken, and each override, is recorded in the scenario's
``provenance`` so that the assumptions table says where it came from.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from laosp.projection.scenario import Fact
from laosp.reference.admin_units import districts
from laosp.rules.pack import Pack, Scheme
from laosp.rules.params import Parameter

Raw = dict[str, Any]


class PackLinkError(ValueError):
    """A scenario that restates or contradicts the pack, naming the file and the field."""


def amount_parameter(pack: Pack, scheme: Scheme) -> Parameter | None:
    """The parameter behind the scheme's ``amount`` output (the only one it reads)."""
    if scheme.amount is None:
        return None
    output = pack.outputs[(scheme.amount, scheme.unit)]
    names = sorted(output.params)
    if len(names) != 1:
        raise PackLinkError(
            f"scheme {scheme.code}: its amount output {scheme.amount} reads "
            f"{len(names)} parameters ({', '.join(names) or 'none'}); the projection needs one"
        )
    return pack.parameters[names[0]]


def area_parameter(pack: Pack, scheme: Scheme) -> Parameter | None:
    """The scheme's areas: its namespace's ``districts`` or ``provinces`` parameter."""
    for suffix in ("districts", "provinces"):
        found = pack.parameters.get(f"{scheme.rules}.{suffix}")
        if found is not None:
            return found
    return None


def yearly_amounts(param: Parameter, first: int, last: int) -> float | dict[int, float]:
    """The monthly amount for each year from ``first``: the mean of the values in force
    on the first day of its twelve months (a change on 1 July counts half the year);
    before the parameter's first value, its first value. One number when it never
    changes, else a value for every year up to the year after the last change (the
    projection holds the last one)."""
    changes = [v.start.year for v in param.values]
    stop = max(first, min(last, max(changes) + 1))

    def mean(year: int) -> float:
        months = [param.value_at(dt.date(year, m, 1)) or param.values[0] for m in range(1, 13)]
        return sum(float(v.value) for v in months) / 12

    values = {year: mean(year) for year in range(first, stop + 1)}
    distinct = set(values.values())
    return distinct.pop() if len(distinct) == 1 else values


def provinces_of(codes: list[str], shape: str) -> list[str]:
    if shape == "provinces":
        return sorted(codes)
    province = {row.code: row.province_code for row in districts()}
    unknown = sorted(set(codes) - set(province))
    if unknown:
        raise PackLinkError(f"unknown district codes in the pack: {unknown}")
    return sorted({province[code] for code in codes})


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _dated(param: Parameter) -> str:
    return "; ".join(f"{_show(v.value)} from {v.start.isoformat()}" for v in param.values)


def _override(node: Any) -> dict[str, Any] | None:
    """``{value, override: true, source}``, or None when ``node`` is not one."""
    if isinstance(node, dict) and "override" in node:
        if node.get("override") is not True or "value" not in node or not node.get("source"):
            return None
        return node
    return None


class _Linker:
    def __init__(self, pack: Pack, origin: str, base_year: int, end_year: int) -> None:
        self.pack = pack
        self.origin = origin
        self.base_year = base_year
        self.end_year = end_year
        self.facts: list[Fact] = []

    def error(self, key: str, message: str) -> PackLinkError:
        return PackLinkError(f"{self.origin}: field {key}: {message}")

    def restated(self, key: str, parameter: str, pack_value: str) -> PackLinkError:
        return self.error(
            key,
            f"the policy pack holds this value ({parameter} = {pack_value}): remove it, or "
            "replace it explicitly with `override: true` and a `source`",
        )

    def link(self, code: str, node: Raw, scheme: Scheme) -> None:
        where = f"schemes.{code}"
        for field in ("name", "name_lo"):
            if field in node:
                raise self.error(
                    f"{where}.{field}",
                    "a pack scheme's name comes from the pack (schemes.yaml): remove it",
                )
        node["name"], node["name_lo"] = scheme.name, scheme.name_lo
        self._start(where, node, scheme)
        if node.get("kind") != "health":
            self._benefit(where, node, scheme)
        self._areas(where, node, scheme)

    def _start(self, where: str, node: Raw, scheme: Scheme) -> None:
        key = f"{where}.start_year"
        pack_start = scheme.start.year if scheme.start else None
        shown = scheme.start.isoformat() if scheme.start else "always"
        given = node.get("start_year")
        if given is None:
            node["start_year"] = pack_start
            if pack_start is not None:
                self.facts.append(
                    Fact(
                        key=key,
                        value=str(pack_start),
                        origin="pack",
                        parameter=f"{scheme.code} start",
                        pack_value=shown,
                        source=f"policy pack: scheme {scheme.code} starts {shown}",
                    )
                )
        elif (override := _override(given)) is not None:
            node["start_year"] = int(override["value"])
            self.facts.append(
                Fact(
                    key=key,
                    value=str(override["value"]),
                    origin="override",
                    parameter=f"{scheme.code} start",
                    pack_value=shown,
                    source=str(override["source"]),
                )
            )
        else:
            raise self.restated(key, f"{scheme.code} start", shown)
        if scheme.end is not None and "end_year" not in node:
            node["end_year"] = scheme.end.year

    def _benefit(self, where: str, node: Raw, scheme: Scheme) -> None:
        param = amount_parameter(self.pack, scheme)
        if param is None:
            return
        key = f"{where}.benefit.amount"
        benefit = node.setdefault("benefit", {})
        if not isinstance(benefit, dict):
            raise self.error(f"{where}.benefit", "a benefit block is a mapping")
        dated = _dated(param)
        if "override" in benefit and "amount" not in benefit:
            raise self.error(
                f"{where}.benefit.override",
                "override: true needs the amount that replaces the pack's "
                f"({param.name} = {dated})",
            )
        if "amount" in benefit:
            if benefit.get("override") is not True or not benefit.get("source"):
                raise self.restated(key, param.name, dated)
            self.facts.append(
                Fact(
                    key=key,
                    value=f"{_show(benefit['amount'])} a {benefit.get('per', 'month')}",
                    origin="override",
                    parameter=param.name,
                    pack_value=dated,
                    source=str(benefit["source"]),
                )
            )
            return
        if "per" in benefit and benefit["per"] != "month":
            raise self.error(f"{where}.benefit.per", "the pack's amounts are per month")
        base = dt.date(self.base_year, 1, 1)
        at_base = param.value_at(base) or param.values[0]
        reference = f"policy pack: {param.name} ({at_base.reference})"
        benefit["amount"] = yearly_amounts(param, self.base_year, self.end_year)
        benefit["per"] = "month"
        benefit["source"] = "; ".join(filter(None, (reference, benefit.get("source"))))
        self.facts.append(
            Fact(
                key=key,
                value=f"{_show(at_base.value)} a month "
                + (
                    f"in {self.base_year}"
                    if at_base.start <= base
                    else f"from {at_base.start.isoformat()}"
                ),
                origin="pack",
                parameter=param.name,
                pack_value=dated,
                source=reference,
            )
        )

    def _areas(self, where: str, node: Raw, scheme: Scheme) -> None:
        param = area_parameter(self.pack, scheme)
        eligibility = node.get("eligibility")
        if param is None or not isinstance(eligibility, dict) or "eligible" in eligibility:
            return
        key = f"{where}.eligibility.provinces"
        at = max(dt.date(self.base_year, 1, 1), param.first_date)
        in_force = param.value_at(at) or param.values[0]
        shape = param.name.rsplit(".", 1)[1]
        provinces = provinces_of(list(in_force.value), shape)
        pack_value = f"{_show(list(in_force.value))} from {in_force.start.isoformat()}"
        given = eligibility.get("provinces")
        if given is None:
            eligibility["provinces"] = provinces
            via = "" if shape == "provinces" else " (the provinces of its districts)"
            self.facts.append(
                Fact(
                    key=key,
                    value=_show(provinces),
                    origin="pack",
                    parameter=param.name,
                    pack_value=pack_value,
                    source=f"policy pack: {param.name}{via} ({in_force.reference})",
                )
            )
        elif (override := _override(given)) is not None:
            eligibility["provinces"] = [str(p) for p in override["value"]]
            self.facts.append(
                Fact(
                    key=key,
                    value=_show(eligibility["provinces"]),
                    origin="override",
                    parameter=param.name,
                    pack_value=pack_value,
                    source=str(override["source"]),
                )
            )
        else:
            raise self.restated(key, param.name, pack_value)


def with_pack(raw: Raw, pack: Pack, origin: str) -> Raw:
    """``raw`` (a merged scenario mapping) with its pack schemes' facts filled in from
    ``pack`` and a ``provenance`` block listing each value taken and each override."""
    result = copy.deepcopy(raw)
    info = result.get("scenario")
    info = info if isinstance(info, dict) else {}
    if "provenance" in result:
        raise PackLinkError(f"{origin}: field provenance: written by laosp, not by hand")
    base_year, end_year = info.get("base_year"), info.get("end_year")
    if not isinstance(base_year, int) or not isinstance(end_year, int):
        return result  # validation names the missing or bad year
    linker = _Linker(pack, origin, base_year, end_year)
    schemes = result.get("schemes")
    for code, node in schemes.items() if isinstance(schemes, dict) else ():
        if not isinstance(node, dict):
            continue
        scheme = pack.schemes.get(str(code))
        if scheme is not None:
            linker.link(str(code), node, scheme)
            continue
        eligibility = node.get("eligibility")
        provinces = eligibility.get("provinces") if isinstance(eligibility, dict) else None
        for key, value in (
            ("start_year", node.get("start_year")),
            ("eligibility.provinces", provinces),
        ):
            if _override(value) is not None or (isinstance(value, dict) and "override" in value):
                raise linker.error(
                    f"schemes.{code}.{key}", "not a scheme of the pack: nothing to override"
                )
        if isinstance(node.get("benefit"), dict) and "override" in node["benefit"]:
            raise linker.error(
                f"schemes.{code}.benefit.override", "not a scheme of the pack: nothing to override"
            )
    result["provenance"] = {
        "pack": str(pack.path),
        "digest": pack.digest,
        "facts": [fact.model_dump() for fact in linker.facts],
    }
    return result
