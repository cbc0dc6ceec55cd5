"""Coverage indicators: aggregates, open to every signed-in role (small cells
suppressed for roles without ``read_small_cells``, ``laosp.api.aggregates``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from laosp.api.aggregates import indicator_rows, reference_date, shown_to
from laosp.api.deps import CacheClearerDep, PrincipalDep, StateDep
from laosp.api.errors import documented
from laosp.api.params import ReferenceDate

router = APIRouter(prefix="/api/indicators", tags=["indicators"], responses=documented(401))


@router.get("", responses=documented(422))
def indicators(
    state: StateDep,
    principal: PrincipalDep,
    date: ReferenceDate = None,
    by: Literal["national", "province", "district"] = "national",
) -> dict[str, Any]:
    """Every indicator at ``date``: nationally, by province or by district."""
    coverage = state.analytics.coverage(reference_date(date))
    frame = {
        "national": coverage.national,
        "province": coverage.by_province,
        "district": coverage.by_district,
    }[by]
    return {
        "date": coverage.at.isoformat(),
        "by": by,
        "computed_at": coverage.computed_at.isoformat(),
        "rows": shown_to(principal, indicator_rows(frame), state.settings.small_cell_threshold),
    }


@router.post("/refresh", status_code=204, responses=documented(403))
def refresh(state: StateDep, _admin: CacheClearerDep) -> None:
    """Forget the cached indicators, gap lists and projections for every user
    (recomputed on next use); admin only."""
    state.analytics.clear()
