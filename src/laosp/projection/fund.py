"""The National Health Insurance fund: revenue against expenditure, the closing transfer."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from laosp.projection.costing import products
from laosp.projection.macro import MacroPaths
from laosp.projection.result import FundResult, SchemeResult
from laosp.projection.scenario import Health

Money = NDArray[np.int64]


def health_fund(
    scheme: SchemeResult, health: Health, macro: MacroPaths, routed: Money
) -> FundResult:
    """Revenue = government transfer + co-payments + contributions routed from social
    security; the closing transfer is what the budget adds to bring the balance to 0."""
    members = scheme.beneficiaries
    active = (scheme.take_up > 0).astype(np.float64)
    transfer = products(np.full(len(members), health.government_transfer), macro.cpi_index, active)
    copayments = products(
        members, np.full(len(members), health.copayment_per_member), macro.cpi_index
    )
    revenue = transfer + copayments + routed
    balance = revenue - scheme.cost
    closing = np.maximum(-balance, 0)
    return FundResult(
        members=members,
        expenditure=scheme.cost,
        government_transfer=transfer,
        copayments=copayments,
        contributions=routed,
        revenue=revenue,
        balance=balance,
        closing_transfer=closing,
        balance_after_transfer=balance + closing,
    )
