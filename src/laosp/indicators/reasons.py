"""Why a person is on a gap list, in English and Lao, as column expressions.

The texts are what a district team reads in the field, e.g. "pregnant, month 5, in
Sanamxay (1703)" / "ຖືພາ ເດືອນທີ 5, ຢູ່ເມືອງ ສະໜາມໄຊ (1703)". Each expression reads the
columns of the gap frame built in ``laosp.indicators.gaps``. Some schemes have words
that describe the person from those columns; any other scheme of the pack gets the
generic reason, naming the scheme as the pack does. No reason restates a condition of
the rules (an age, an amount): the pack holds those.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from laosp.rules.pack import Scheme

Reason = tuple[pl.Expr, pl.Expr]

_in_district_en = pl.format(" in {} ({})", pl.col("district_name_en"), pl.col("district"))
_in_district_lo = pl.format(" ຢູ່ເມືອງ {} ({})", pl.col("district_name_lo"), pl.col("district"))
_in_province_en = pl.format(" in {} ({})", pl.col("province_name_en"), pl.col("province"))
_in_province_lo = pl.format(" ຢູ່ແຂວງ {} ({})", pl.col("province_name_lo"), pl.col("province"))


def _join(*parts: pl.Expr) -> pl.Expr:
    return pl.concat_str(parts, ignore_nulls=True)


def mecg() -> Reason:
    pregnant = pl.col("pregnant").fill_null(False)
    english = (
        pl.when(pregnant)
        .then(pl.format("pregnant, month {},", pl.col("pregnancy_month")))
        .otherwise(pl.format("child aged {} months,", pl.col("age_months")))
    )
    lao = (
        pl.when(pregnant)
        .then(pl.format("ຖືພາ ເດືອນທີ {},", pl.col("pregnancy_month")))
        .otherwise(pl.format("ເດັກອາຍຸ {} ເດືອນ,", pl.col("age_months")))
    )
    return _join(english, _in_district_en), _join(lao, _in_district_lo)


def cct() -> Reason:
    """Household rows: ``any_pregnant`` and ``youngest_months`` describe the members."""
    pregnant = pl.col("any_pregnant").fill_null(False)
    english = (
        pl.when(pregnant)
        .then(pl.lit(", with a pregnant member"))
        .otherwise(pl.format(", with a child aged {} months", pl.col("youngest_months")))
    )
    lao = (
        pl.when(pregnant)
        .then(pl.lit(", ມີແມ່ຍິງຖືພາ"))
        .otherwise(pl.format(", ມີເດັກອາຍຸ {} ເດືອນ", pl.col("youngest_months")))
    )
    return (
        _join(pl.lit("poor household"), _in_province_en, english),
        _join(pl.lit("ຄົວເຮືອນທຸກຍາກ"), _in_province_lo, lao),
    )


def eligible(scheme: Scheme) -> Reason:
    """The generic reason: eligible for the scheme (by its name) and not enrolled."""
    return (
        _join(pl.lit(f"eligible for {scheme.label('en')}, not enrolled,"), _in_district_en),
        _join(pl.lit(f"ມີສິດເຂົ້າ {scheme.label('lo')}, ຍັງບໍ່ໄດ້ລົງທະບຽນ,"), _in_district_lo),
    )


def nssf_private() -> Reason:
    return (
        pl.format("formal private-sector employee, {} sector", pl.col("sector")),
        pl.lit("ລູກຈ້າງວິສາຫະກິດເອກະຊົນໃນລະບົບ, ຕ້ອງເຂົ້າປະກັນສັງຄົມ"),
    )


def nssf_public() -> Reason:
    return (
        pl.lit("public-sector employee (civil service, state body, army or police)"),
        pl.lit("ພະນັກງານລັດ (ລັດຖະກອນ, ກອງທັບ ຫຼື ຕຳຫຼວດ), ຕ້ອງເຂົ້າປະກັນສັງຄົມ"),
    )


def nssf_voluntary() -> Reason:
    return (
        pl.format("employed, aged {}, not insured: may join the voluntary scheme", pl.col("age")),
        pl.format("ມີວຽກເຮັດ, ອາຍຸ {} ປີ, ສາມາດເຂົ້າປະກັນສັງຄົມແບບສະໝັກໃຈ", pl.col("age")),
    )


#: The schemes whose reason describes the person (by scheme code).
DESCRIBED: dict[str, Callable[[], Reason]] = {
    "mecg": mecg,
    "cct": cct,
    "nssf_private": nssf_private,
    "nssf_public": nssf_public,
    "nssf_voluntary": nssf_voluntary,
}


def for_scheme(scheme: Scheme) -> Reason:
    """Why a unit eligible for ``scheme`` and not enrolled in it is listed."""
    described = DESCRIBED.get(scheme.code)
    return described() if described is not None else eligible(scheme)


def uncovered() -> Reason:
    return (
        _join(pl.lit("no cash benefit, no contribution, no health cover,"), _in_district_en),
        _join(pl.lit("ບໍ່ມີເງິນອຸດໜູນ, ບໍ່ມີປະກັນສັງຄົມ, ບໍ່ມີປະກັນສຸຂະພາບ,"), _in_district_lo),
    )
