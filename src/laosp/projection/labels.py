"""Column headings in English and Lao, for tables and workbooks."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "year": "Year / ປີ",
    "scheme": "Scheme / ໂຄງການ",
    "population": "Population / ພົນລະເມືອງ",
    "gdp_lak": "GDP (LAK) / ຜະລິດຕະພັນລວມພາຍໃນ (ກີບ)",
    "government_expenditure_lak": "Government expenditure (LAK) / ລາຍຈ່າຍລັດ (ກີບ)",
    "spending_lak": "SP spending (LAK) / ລາຍຈ່າຍປົກປ້ອງສັງຄົມ (ກີບ)",
    "spending_usd": "SP spending (USD) / ລາຍຈ່າຍປົກປ້ອງສັງຄົມ (ໂດລາ)",
    "spending_pct_gdp": "SP spending, % of GDP / % ຂອງ GDP",
    "spending_pct_government": "SP spending, % of government expenditure / % ຂອງລາຍຈ່າຍລັດ",
    "eligible": "Eligible / ຜູ້ມີສິດ",
    "take_up": "Take-up / ອັດຕາການເຂົ້າຮ່ວມ",
    "beneficiaries": "Beneficiaries / ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ",
    "annual_benefit_lak": "Annual benefit (LAK) / ຜົນປະໂຫຍດຕໍ່ປີ (ກີບ)",
    "cost_lak": "Cost (LAK) / ຄ່າໃຊ້ຈ່າຍ (ກີບ)",
    "cost_usd": "Cost (USD) / ຄ່າໃຊ້ຈ່າຍ (ໂດລາ)",
    "cost_pct_gdp": "Cost, % of GDP / ຄ່າໃຊ້ຈ່າຍ, % ຂອງ GDP",
    "cost_pct_government": "Cost, % of government expenditure / ຄ່າໃຊ້ຈ່າຍ, % ຂອງລາຍຈ່າຍລັດ",
    "contributors": "Contributors / ຜູ້ສົມທົບ",
    "contributions_lak": "Contributions (LAK) / ເງິນສົມທົບ (ກີບ)",
    "contribution_subsidy_lak": "Contribution subsidy (LAK) / ເງິນອຸດໜູນການສົມທົບ (ກີບ)",
    "financed_contributions_lak": "Financed: contributions / ແຫຼ່ງທຶນ: ເງິນສົມທົບ",
    "financed_copayments_lak": "Financed: co-payments / ແຫຼ່ງທຶນ: ການຮ່ວມຈ່າຍ",
    "financed_domestic_lak": "Financed: domestic budget / ແຫຼ່ງທຶນ: ງົບປະມານລັດ",
    "financed_external_lak": "Financed: external partners / ແຫຼ່ງທຶນ: ຄູ່ຮ່ວມພັດທະນາ",
    "government_budget_lak": "Government budget for SP (LAK) / ງົບປະມານລັດ (ກີບ)",
    "nhi_balance_lak": "NHI balance (LAK) / ດຸນຍະພາບກອງທຶນ (ກີບ)",
    "nhi_closing_transfer_lak": "NHI closing transfer (LAK) / ເງິນໂອນປິດການຂາດດຸນ (ກີບ)",
    "members": "Members / ສະມາຊິກ",
    "expenditure_lak": "Expenditure (LAK) / ລາຍຈ່າຍ (ກີບ)",
    "government_transfer_lak": "Government transfer (LAK) / ເງິນໂອນຈາກລັດ (ກີບ)",
    "copayments_lak": "Co-payments (LAK) / ການຮ່ວມຈ່າຍ (ກີບ)",
    "revenue_lak": "Revenue (LAK) / ລາຍຮັບ (ກີບ)",
    "balance_lak": "Balance (LAK) / ດຸນຍະພາບ (ກີບ)",
    "closing_transfer_lak": "Closing transfer (LAK) / ເງິນໂອນປິດການຂາດດຸນ (ກີບ)",
    "balance_after_transfer_lak": "Balance after transfer (LAK) / ດຸນຍະພາບຫຼັງໂອນ (ກີບ)",
    "assumption": "Assumption / ສົມມຸດຕິຖານ",
    "value": "Value / ຄ່າ",
    "source": "Source / ແຫຼ່ງຂໍ້ມູນ",
}


def label(column: str) -> str:
    return LABELS.get(column, column)
