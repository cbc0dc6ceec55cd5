"""Financing projections: the default scenario against a policy scenario, to 2040."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from laosp.api.aggregates import projection_view
from laosp.api.analytics import shipped_scenarios
from laosp.api.deps import PrincipalDep, StateDep
from laosp.api.errors import documented

router = APIRouter(prefix="/api/projection", tags=["projection"], responses=documented(401))
DEFAULT_POLICY = "social_pension_65"


def checked_policy(policy: str) -> str:
    if policy not in shipped_scenarios():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no scenario {policy}; one of {', '.join(shipped_scenarios())}",
        )
    return policy


@router.get("/scenarios")
def scenarios(_principal: PrincipalDep) -> list[str]:
    return shipped_scenarios()


@router.get("", responses=documented(404, 422))
def projection(
    state: StateDep,
    _principal: PrincipalDep,
    policy: Annotated[str, Query(description="a shipped scenario", max_length=64)] = DEFAULT_POLICY,
) -> dict[str, Any]:
    """Cost, % of GDP and NHI fund balance per year, default vs ``policy``."""
    return projection_view(state.analytics.projections(checked_policy(policy)))
