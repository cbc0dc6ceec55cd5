"""The indicators of ``shared/spec/indicators.md`` as (denominator, numerator) predicates.

Each predicate is a Polars expression over the population frame built by
``laosp.indicators.engine`` (one row per person alive at the reference date, with the
status columns of ``laosp.indicators.status`` and the derived columns below). The
numerator is always taken within the denominator.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from laosp.indicators import labour
from laosp.presentation.catalogues import messages

age = pl.col("age")
is_child = age <= 14
at_retirement_age = age >= pl.col("retirement_age")
working_age = (age >= 15) & ~at_retirement_age
employed = pl.col("employment_status") == "employed"
everyone = pl.col("person_id").is_not_null()


@dataclass(frozen=True)
class Indicator:
    id: str
    label_en: str
    label_lo: str
    denominator: pl.Expr
    numerator: pl.Expr


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "sdg131.at_least_one",
        "Population covered by at least one social protection benefit",
        "ປະຊາກອນທີ່ໄດ້ຮັບການປົກປ້ອງສັງຄົມຢ່າງໜ້ອຍໜຶ່ງປະເພດ",
        everyone,
        pl.col("receives_cash") | pl.col("active_contributor"),
    ),
    Indicator(
        "sdg131.children",
        "Children 0-14 receiving a child or family benefit",
        "ເດັກອາຍຸ 0-14 ປີ ທີ່ໄດ້ຮັບເງິນອຸດໜູນເດັກ ຫຼື ຄອບຄົວ",
        is_child,
        pl.col("receives_children"),
    ),
    Indicator(
        "sdg131.mothers_newborns",
        "Mothers of newborns receiving a maternity benefit",
        "ແມ່ທີ່ມີລູກອາຍຸຕໍ່າກວ່າ 12 ເດືອນ ທີ່ໄດ້ຮັບເງິນອຸດໜູນການເກີດລູກ",
        (pl.col("sex") == "F") & pl.col("has_infant"),
        pl.col("receives_maternity"),
    ),
    Indicator(
        "sdg131.disability",
        "Persons with severe disability receiving a disability benefit",
        "ຄົນພິການຮ້າຍແຮງ ທີ່ໄດ້ຮັບເງິນອຸດໜູນຄົນພິການ",
        pl.col("disability") == "severe",
        pl.col("receives_disability"),
    ),
    Indicator(
        "sdg131.unemployed",
        "Unemployed persons receiving an unemployment benefit",
        "ຄົນຫວ່າງງານ ທີ່ໄດ້ຮັບເງິນອຸດໜູນການຫວ່າງງານ",
        pl.col("employment_status") == "unemployed",
        pl.col("receives_unemployment"),
    ),
    Indicator(
        "sdg131.older",
        "Persons above retirement age receiving an old-age pension",
        "ຜູ້ທີ່ມີອາຍຸເກີນກະສຽນ ທີ່ໄດ້ຮັບເງິນບຳນານ",
        at_retirement_age,
        pl.col("receives_old_age"),
    ),
    Indicator(
        "sdg131.vulnerable",
        "Vulnerable persons receiving social assistance",
        "ກຸ່ມຄົນທີ່ມີຄວາມສ່ຽງ ທີ່ໄດ້ຮັບການຊ່ວຍເຫຼືອທາງສັງຄົມ",
        is_child
        | (working_age & ~pl.col("active_contributor"))
        | (at_retirement_age & ~pl.col("contributory_pension")),
        pl.col("receives_noncontributory"),
    ),
    Indicator(
        "sdg131.poor",
        "Persons in poor households receiving social assistance",
        "ຄົນໃນຄົວເຮືອນທຸກຍາກ ທີ່ໄດ້ຮັບການຊ່ວຍເຫຼືອທາງສັງຄົມ",
        pl.col("poor"),
        pl.col("receives_noncontributory"),
    ),
    Indicator(
        "sdg131.employment_injury",
        "Employed persons covered against employment injury",
        "ຜູ້ອອກແຮງງານ ທີ່ມີປະກັນອຸບັດຕິເຫດຈາກການເຮັດວຽກ",
        employed,
        pl.col("injury_insured"),
    ),
    Indicator(
        "health.covered",
        "Population covered by health insurance",
        "ປະຊາກອນທີ່ມີປະກັນສຸຂະພາບ",
        everyone,
        pl.col("health_covered"),
    ),
    Indicator(
        "nssf.informal_covered",
        "Informal workers contributing to social security",
        "ແຮງງານນອກລະບົບ ທີ່ເປັນສະມາຊິກປະກັນສັງຄົມ",
        employed & ~pl.col("formal"),
        pl.col("active_contributor"),
    ),
    Indicator(
        "sdg852.unemployment_rate",
        "Unemployment rate, persons 15+",
        "ອັດຕາການຫວ່າງງານ, ຜູ້ມີອາຍຸ 15 ປີຂຶ້ນໄປ",
        labour.labour_force,
        labour.unemployed,
    ),
    Indicator(
        "sdg852.unemployment_rate_15_24",
        "Unemployment rate, persons 15-24",
        "ອັດຕາການຫວ່າງງານ, ຜູ້ມີອາຍຸ 15-24 ປີ",
        labour.labour_force & labour.youth,
        labour.unemployed,
    ),
    Indicator(
        "sdg852.unemployment_rate_25_plus",
        "Unemployment rate, persons 25+",
        "ອັດຕາການຫວ່າງງານ, ຜູ້ມີອາຍຸ 25 ປີຂຶ້ນໄປ",
        labour.labour_force & labour.adult,
        labour.unemployed,
    ),
)

#: The SDG 10.4.2 series (``laosp.indicators.inequality``): a Gini index is not a count,
#: so they are not predicates; ``ratio`` carries the value. Their labels are the
#: ``indicators`` catalogue's ``indicators.<id>``.
INEQUALITY_IDS = (
    "sdg1042.gini_before",
    "sdg1042.gini_after",
    "sdg1042.redistributive_impact",
)

#: indicator id → (English, Lao) label
LABELS = {item.id: (item.label_en, item.label_lo) for item in INDICATORS} | {
    key: (messages("en")[f"indicators.{key}"], messages("lo")[f"indicators.{key}"])
    for key in INEQUALITY_IDS
}

INDICATOR_IDS = tuple(indicator.id for indicator in INDICATORS)


def indicator(indicator_id: str) -> Indicator:
    for candidate in INDICATORS:
        if candidate.id == indicator_id:
            return candidate
    raise KeyError(f"unknown indicator {indicator_id!r}; known: {', '.join(INDICATOR_IDS)}")
