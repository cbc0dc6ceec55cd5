"""Labels in English and Lao, and numbers, money and dates the way each reader writes them.

Convention (CLDR for ``lo`` and ``en``): Lao groups thousands with a dot and writes the
decimal comma (``1.234.567 ກີບ``, ``45,3%``); English groups with a comma
(``1,234,567 LAK``, ``45.3%``). Dates are DD/MM/YYYY in both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from laosp.reference import dictionary

Lang = Literal["lo", "en"]
LANGS: tuple[Lang, ...] = ("lo", "en")
DEFAULT_LANG: Lang = "lo"

#: The registry fields' labels, by field name, from the data dictionary.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    f.name: (f.label_en, f.label_lo)
    for f in (*dictionary.HOUSEHOLD_FIELDS, *dictionary.PERSON_FIELDS)
}

TEXT: dict[str, tuple[str, str]] = {
    **FIELD_LABELS,
    "app_title": ("Social protection information system", "ລະບົບຂໍ້ມູນການປົກປ້ອງສັງຄົມ"),
    "overview": ("Overview", "ພາບລວມ"),
    "gaps": ("Gaps", "ຊ່ອງຫວ່າງ"),
    "projection": ("Projection", "ການຄາດຄະເນ"),
    "search": ("Registry search", "ຄົ້ນຫາທະບຽນ"),
    "login": ("Sign in", "ເຂົ້າລະບົບ"),
    "logout": ("Sign out", "ອອກຈາກລະບົບ"),
    "username": ("Username", "ຊື່ຜູ້ໃຊ້"),
    "password": ("Password", "ລະຫັດຜ່ານ"),
    "change_password": ("Change password", "ປ່ຽນລະຫັດຜ່ານ"),
    "old_password": ("Current password", "ລະຫັດຜ່ານປັດຈຸບັນ"),
    "new_password": ("New password (at least 8 characters)", "ລະຫັດຜ່ານໃໝ່ (ຢ່າງໜ້ອຍ 8 ຕົວອັກສອນ)"),
    "must_change_password": (
        "Your password was set by an administrator: choose your own before going on.",
        "ລະຫັດຜ່ານຂອງທ່ານຖືກຕັ້ງໂດຍຜູ້ດູແລລະບົບ: ກະລຸນາຕັ້ງລະຫັດຂອງທ່ານເອງກ່ອນ.",
    ),
    "province": ("Province", "ແຂວງ"),
    "district": ("District", "ເມືອງ"),
    "indicator": ("Indicator", "ຕົວຊີ້ວັດ"),
    "coverage": ("Coverage", "ອັດຕາການຄຸ້ມຄອງ"),
    "covered": ("Covered", "ໄດ້ຮັບການຄຸ້ມຄອງ"),
    "population_in": ("Persons concerned", "ຈຳນວນຄົນທີ່ກ່ຽວຂ້ອງ"),
    "chart_title": (
        "Population covered by at least one benefit (SDG 1.3.1), by province",
        "ປະຊາກອນທີ່ໄດ້ຮັບການປົກປ້ອງຢ່າງໜ້ອຍໜຶ່ງປະເພດ (SDG 1.3.1) ຕາມແຂວງ",
    ),
    "chart_title_district": (
        "Population covered by at least one benefit (SDG 1.3.1), by district",
        "ປະຊາກອນທີ່ໄດ້ຮັບການປົກປ້ອງຢ່າງໜ້ອຍໜຶ່ງປະເພດ (SDG 1.3.1) ຕາມເມືອງ",
    ),
    "national": ("National", "ທົ່ວປະເທດ"),
    "left_behind": ("Who is left behind", "ຜູ້ທີ່ຍັງຕົກຫຼົ່ນ"),
    "uncovered": ("No coverage at all", "ບໍ່ມີການຄຸ້ມຄອງໃດໆ"),
    "eligible_not_enrolled": ("Eligible, not enrolled", "ມີສິດ ແຕ່ຍັງບໍ່ໄດ້ລົງທະບຽນ"),
    "gap": ("Gap", "ຊ່ອງຫວ່າງ"),
    "scheme": ("Scheme", "ໂຄງການ"),
    "count": ("Persons", "ຈຳນວນຄົນ"),
    "refresh": ("Recompute", "ຄິດໄລ່ຄືນໃໝ່"),
    "computed_at": ("Computed at", "ຄິດໄລ່ເມື່ອ"),
    "reference_date": ("Reference date", "ວັນທີອ້າງອີງ"),
    "year": ("Year", "ປີ"),
    "cost": ("Cost", "ຄ່າໃຊ້ຈ່າຍ"),
    "pct_gdp": ("% of GDP", "% ຂອງ GDP"),
    "nhi_balance": ("NHI fund balance", "ດຸນຍະພາບກອງທຶນປະກັນສຸຂະພາບ"),
    "cost_chart": ("Social protection spending, % of GDP", "ລາຍຈ່າຍປົກປ້ອງສັງຄົມ, % ຂອງ GDP"),
    "nhi_chart": ("NHI fund balance, bn LAK", "ດຸນຍະພາບກອງທຶນປະກັນສຸຂະພາບ, ຕື້ກີບ"),
    "default_scenario": ("Default scenario", "ສະຖານະການພື້ນຖານ"),
    "policy_scenario": ("Policy scenario", "ສະຖານະການນະໂຍບາຍ"),
    "name": ("Name", "ຊື່"),
    "household": ("Household", "ຄົວເຮືອນ"),
    "person": ("Person", "ບຸກຄົນ"),
    "village": ("Village", "ບ້ານ"),
    "why": ("Why", "ເຫດຜົນ"),
    "download": ("Download", "ດາວໂຫຼດ"),
    "named_list": ("Named list", "ລາຍຊື່"),
    "counts_only": (
        "Your role and area see counts only here.",
        "ບົດບາດ ແລະ ເຂດຂອງທ່ານເຫັນສະເພາະຈຳນວນ.",
    ),
    "choose_district": (
        "Choose a district to see the named list.",
        "ເລືອກເມືອງ ເພື່ອເບິ່ງລາຍຊື່.",
    ),
    "search_hint": ("Name in Lao or romanised", "ຊື່ເປັນພາສາລາວ ຫຼື ອັກສອນລາຕິນ"),
    "no_results": ("Nothing found.", "ບໍ່ພົບຂໍ້ມູນ."),
    "wrong_login": ("Wrong username or password.", "ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ."),
    "forbidden": ("Your role may not see named persons.", "ບົດບາດຂອງທ່ານບໍ່ສາມາດເບິ່ງລາຍຊື່ບຸກຄົນ."),
    "not_found": ("Not found, or outside your area.", "ບໍ່ພົບ ຫຼື ຢູ່ນອກເຂດຂອງທ່ານ."),
    "members": ("Members", "ສະມາຊິກ"),
    "show": ("Show", "ສະແດງ"),
    "all": ("All", "ທັງໝົດ"),
    "yes": ("yes", "ແມ່ນ"),
    "no": ("no", "ບໍ່"),
    "shown_of": ("shown of", "ສະແດງ ຈາກ"),
    "json": ("JSON", "JSON"),
    "brief": ("Coverage brief", "ບົດສະຫຼຸບການຄຸ້ມຄອງ"),
    # a reform on the registry (``laosp rules diff``, /rules/diff)
    "rules_diff": ("Reform on the registry", "ຜົນຂອງການປ່ຽນນະໂຍບາຍຕໍ່ທະບຽນ"),
    "parameter": ("Parameter", "ພາລາມິເຕີ"),
    "current_value": ("Current value", "ຄ່າປັດຈຸບັນ"),
    "new_value": ("New value", "ຄ່າໃໝ່"),
    "reform_from": ("Reform from", "ເລີ່ມປ່ຽນແຕ່ວັນທີ"),
    "compare": ("Compare", "ປຽບທຽບ"),
    "gainers": ("Gain eligibility", "ໄດ້ຮັບສິດ"),
    "losers": ("Lose eligibility", "ເສຍສິດ"),
    "amount_changed": ("Amount changes", "ຈຳນວນເງິນປ່ຽນ"),
    "money_month": ("Change per month", "ສ່ວນຕ່າງຕໍ່ເດືອນ"),
    "money_this_year": ("This year", "ປີນີ້"),
    "money_full_year": ("Full year", "ໝົດປີ"),
    "contribution_month": ("Contributions per month", "ເງິນສົມທົບຕໍ່ເດືອນ"),
    "months_this_year": ("months of this year from", "ເດືອນຂອງປີນີ້ ນັບແຕ່"),
    "no_changes": (
        "Nobody's eligibility or money changes.",
        "ບໍ່ມີໃຜປ່ຽນສິດ ຫຼື ຈຳນວນເງິນ.",
    ),
    "total": ("Total", "ລວມ"),
    "change_gains": ("gains eligibility", "ໄດ້ຮັບສິດ"),
    "change_loses": ("loses eligibility", "ເສຍສິດ"),
    "change_more": ("receives more", "ໄດ້ຮັບເພີ່ມຂຶ້ນ"),
    "change_less": ("receives less", "ໄດ້ຮັບໜ້ອຍລົງ"),
    "change_contribution": ("contribution changes", "ເງິນສົມທົບປ່ຽນ"),
    "reform_nav": ("Reform", "ປ່ຽນນະໂຍບາຍ"),
    # the audit trail (``laosp audit``, /audit)
    "audit": ("Audit trail", "ບັນທຶກການກວດສອບ"),
    "audit_nav": ("Audit", "ກວດສອບ"),
    "actor": ("Who", "ຜູ້ເຮັດ"),
    "action": ("Action", "ການກະທຳ"),
    "entity": ("Record", "ຂໍ້ມູນ"),
    "entity_id": ("Record id", "ລະຫັດຂໍ້ມູນ"),
    "changes": ("Changes", "ການປ່ຽນແປງ"),
    "at": ("When", "ເວລາ"),
    "since": ("From", "ແຕ່ວັນທີ"),
    "until": ("To", "ຮອດວັນທີ"),
    "filter": ("Filter", "ກັ່ນຕອງ"),
    "previous": ("Previous", "ກ່ອນໜ້າ"),
    "next": ("Next", "ຕໍ່ໄປ"),
    "events_of": ("events of", "ເຫດການ ຈາກ"),
    "audit_forbidden": (
        "Only an auditor or an administrator may read the audit trail.",
        "ສະເພາະຜູ້ກວດສອບ ຫຼື ຜູ້ບໍລິຫານລະບົບເທົ່ານັ້ນທີ່ເບິ່ງບັນທຶກການກວດສອບໄດ້.",
    ),
}

LAO_SEPARATORS = str.maketrans(",.", ".,")
KIP = {"en": "LAK", "lo": "ກີບ"}
BILLION = {"en": "bn LAK", "lo": "ຕື້ກີບ"}


def pick_lang(value: str | None) -> Lang:
    return "en" if value == "en" else DEFAULT_LANG


@dataclass(frozen=True)
class Formatter:
    """Labels and number formats of one language (used as ``t`` and ``f`` in templates)."""

    lang: Lang

    def __call__(self, key: str) -> str:
        english, lao = TEXT.get(key, (key, key))
        return lao if self.lang == "lo" else english

    def code(self, field: str, value: str | None) -> str:
        """The label of registry code ``value`` of ``field`` (``sex`` ``F`` → ຍິງ)."""
        return "—" if value is None else dictionary.code_label(field, value, self.lang)

    def pair(self, english: str | None, lao: str | None) -> str:
        return (lao if self.lang == "lo" else english) or english or lao or ""

    def _swap(self, text: str) -> str:
        if self.lang == "en":
            return text
        return text.translate(LAO_SEPARATORS)

    def number(self, value: int | float | None, decimals: int = 0) -> str:
        if value is None:
            return "—"
        return self._swap(f"{value:,.{decimals}f}")

    def kip(self, value: int | None) -> str:
        return "—" if value is None else f"{self.number(value)} {KIP[self.lang]}"

    def billions(self, value: int | float | None) -> str:
        return "—" if value is None else f"{self.number(value / 1e9, 1)} {BILLION[self.lang]}"

    def percent(self, ratio: float | None, decimals: int = 1) -> str:
        return "—" if ratio is None else f"{self.number(100 * ratio, decimals)}%"

    def percent_points(self, value: float | None) -> str:
        """A value already in percent (``1.6`` → ``1,6%`` in Lao)."""
        return "—" if value is None else f"{self.number(value, 1)}%"

    def date(self, value: dt.date | str | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        return value.strftime("%d/%m/%Y")

    def datetime(self, value: str) -> str:
        moment = dt.datetime.fromisoformat(value)
        return moment.strftime("%d/%m/%Y %H:%M") + " UTC"
