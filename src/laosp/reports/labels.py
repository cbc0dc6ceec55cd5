"""The briefs' wording in English and Lao; numbers, money and dates through the
dashboard's formatter (``laosp.presentation.i18n``), so a brief reads like the dashboard.

The Lao wording should be reviewed by a native-speaking officer.
"""

from __future__ import annotations

from dataclasses import dataclass

from laosp.presentation.i18n import TEXT, Formatter, Lang

REPORT_TEXT: dict[str, tuple[str, str]] = {
    "coverage_title": (
        "Social protection coverage brief",
        "ບົດສະຫຼຸບການຄຸ້ມຄອງການປົກປ້ອງສັງຄົມ",
    ),
    "projection_title": (
        "Social protection financing brief",
        "ບົດສະຫຼຸບການສະໜອງທຶນການປົກປ້ອງສັງຄົມ",
    ),
    "headline": ("Headline indicators", "ຕົວຊີ້ວັດຫຼັກ"),
    "by_province": ("Coverage by province", "ການຄຸ້ມຄອງ ຕາມແຂວງ"),
    "by_district": ("Coverage by district", "ການຄຸ້ມຄອງ ຕາມເມືອງ"),
    "by_sex": ("Coverage by sex", "ການຄຸ້ມຄອງ ຕາມເພດ"),
    "by_age_group": ("Coverage by age group", "ການຄຸ້ມຄອງ ຕາມກຸ່ມອາຍຸ"),
    "by_formal": ("Formal and informal work", "ວຽກໃນລະບົບ ແລະ ນອກລະບົບ"),
    "sex.F": ("Women", "ຍິງ"),
    "sex.M": ("Men", "ຊາຍ"),
    "formal.true": ("In a formal job", "ມີວຽກໃນລະບົບ"),
    "formal.false": (
        "No formal job (informal work, or not employed)",
        "ບໍ່ມີວຽກໃນລະບົບ (ວຽກນອກລະບົບ ຫຼື ບໍ່ມີວຽກເຮັດ)",
    ),
    "years": ("years", "ປີ"),
    "persons": ("Persons", "ຈຳນວນຄົນ"),
    "employed": ("Employed", "ມີວຽກເຮັດ"),
    "sdg131_short": ("At least one benefit (SDG 1.3.1)", "ຢ່າງໜ້ອຍໜຶ່ງປະເພດ (SDG 1.3.1)"),
    "health_short": ("Health insurance", "ປະກັນສຸຂະພາບ"),
    "injury_short": ("Employment injury cover", "ປະກັນອຸບັດຕິເຫດຈາກການເຮັດວຽກ"),
    "gaps_heading": ("Who is left behind", "ຜູ້ທີ່ຍັງຕົກຫຼົ່ນ"),
    "gaps_note": (
        "Counts from the gap lists: eligible by the policy rules at the reference date, "
        "without an active enrolment in the scheme (households, for a scheme that enrols "
        "households).",
        "ຈຳນວນຈາກລາຍຊື່ຊ່ອງຫວ່າງ: ມີສິດຕາມລະບຽບນະໂຍບາຍ ໃນວັນທີອ້າງອີງ "
        "ແຕ່ບໍ່ມີການລົງທະບຽນທີ່ຍັງມີຜົນໃນໂຄງການ (ຄົວເຮືອນ, ສຳລັບໂຄງການທີ່ລົງທະບຽນຄົວເຮືອນ).",
    ),
    "total": ("Total", "ລວມ"),
    "source_registry": ("Source: laosp registry", "ແຫຼ່ງຂໍ້ມູນ: ທະບຽນ laosp"),
    "source_projection": (
        "Source: laosp financing projection; every assumption and its source in the "
        "workbook of `laosp project -f xlsx`",
        "ແຫຼ່ງຂໍ້ມູນ: ການຄາດຄະເນການສະໜອງທຶນ laosp; ສົມມຸດຕິຖານ ແລະ ແຫຼ່ງທີ່ມາ "
        "ຢູ່ໃນໄຟລ໌ Excel ຂອງ `laosp project -f xlsx`",
    ),
    "page": ("Page", "ໜ້າ"),
    "area": ("Area", "ເຂດ"),
    "about": ("About", "ກ່ຽວກັບ"),
    "value": ("Value", "ຄ່າ"),
    "item": ("Item", "ລາຍການ"),
    "label": ("Description", "ຄຳອະທິບາຍ"),
    "scenario": ("Scenario", "ສະຖານະການ"),
    "population": ("Population", "ພົນລະເມືອງ"),
    "spending": ("Social protection spending", "ລາຍຈ່າຍປົກປ້ອງສັງຄົມ"),
    "pct_government": ("% of government expenditure", "% ຂອງລາຍຈ່າຍລັດ"),
    "government_budget": (
        "Government budget for social protection",
        "ງົບປະມານລັດ ເພື່ອການປົກປ້ອງສັງຄົມ",
    ),
    "nhi_closing_transfer": (
        "Transfer that closes the NHI deficit",
        "ເງິນໂອນ ເພື່ອປິດການຂາດດຸນກອງທຶນປະກັນສຸຂະພາບ",
    ),
    "financing_mix": ("Financing mix, share of spending", "ໂຄງສ້າງແຫຼ່ງທຶນ, ສ່ວນແບ່ງຂອງລາຍຈ່າຍ"),
    "source.domestic": ("Domestic budget", "ງົບປະມານພາຍໃນ"),
    "source.external": ("External partners", "ຄູ່ຮ່ວມພັດທະນາ"),
    "source.contributions": ("Contributions", "ເງິນສົມທົບ"),
    "source.copayments": ("Co-payments", "ການຮ່ວມຈ່າຍ"),
    "comparison": ("Scenario against scenario", "ປຽບທຽບສະຖານະການ"),
    "difference": ("Difference", "ສ່ວນຕ່າງ"),
    "key_years": ("Key years", "ປີສຳຄັນ"),
    "summary": ("Summary", "ສະຫຼຸບ"),
    "nhi_fund": ("NHI fund", "ກອງທຶນປະກັນສຸຂະພາບ"),
    "financing": ("Financing", "ແຫຼ່ງທຶນ"),
    "gaps_sheet": ("Left behind", "ຜູ້ຕົກຫຼົ່ນ"),
    "ratio_column": ("Coverage", "ອັດຕາການຄຸ້ມຄອງ"),
    "numerator": ("Covered", "ໄດ້ຮັບການຄຸ້ມຄອງ"),
    "denominator": ("Persons concerned", "ຈຳນວນຄົນທີ່ກ່ຽວຂ້ອງ"),
    "code": ("Code", "ລະຫັດ"),
    "group": ("Group", "ກຸ່ມ"),
    "unit_bn": ("bn LAK", "ຕື້ກີບ"),
}


@dataclass(frozen=True)
class Words(Formatter):
    """The dashboard's formatter with the briefs' wording added."""

    def __call__(self, key: str) -> str:
        english, lao = REPORT_TEXT.get(key) or TEXT.get(key) or (key, key)
        return lao if self.lang == "lo" else english

    def age_group(self, group: str) -> str:
        return f"{group} {self('years')}"

    def place(self, names: tuple[str, str]) -> str:
        return self.pair(*names)


def words(lang: Lang) -> Words:
    return Words(lang)
