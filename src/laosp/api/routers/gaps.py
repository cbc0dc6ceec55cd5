"""Who is left behind: counts for every role; the named list only inside one's area."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from laosp.api.access import area_of
from laosp.api.aggregates import gap_counts, named_gap_list, reference_date
from laosp.api.deps import PersonViewerDep, PrincipalDep, StateDep
from laosp.api.routers.registry import OUTSIDE
from laosp.indicators.export import records, write_xlsx

router = APIRouter(prefix="/api/gaps", tags=["gaps"])

DateQuery = Annotated[dt.date | None, Query(description="reference date (default today)")]


@router.get("")
def counts(state: StateDep, _principal: PrincipalDep, date: DateQuery = None) -> dict[str, Any]:
    """Counts by gap (``uncovered`` or ``eligible_not_enrolled``), scheme and district."""
    coverage = state.analytics.coverage(reference_date(date))
    return {"date": coverage.at.isoformat(), "rows": gap_counts(coverage)}


def xlsx_bytes(frame: Any) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gaps.xlsx"
        write_xlsx({"List": frame}, path)
        return path.read_bytes()


@router.get("/list", response_model=None)
def named_list(
    state: StateDep,
    principal: PersonViewerDep,
    date: DateQuery = None,
    district: Annotated[str | None, Query(description="district code PPDD")] = None,
    scheme: Annotated[str | None, Query(description="scheme code, or 'uncovered'")] = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> dict[str, Any] | Response:
    """The named list of persons left behind, inside your area (personal data)."""
    area = area_of(principal)
    if district is not None and not area.contains(district):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    coverage = state.analytics.coverage(reference_date(date))
    listed = named_gap_list(coverage, area, district, scheme)
    name = f"gaps-{district or 'area'}-{coverage.at.isoformat()}"
    if format == "csv":
        buffer = io.StringIO()
        listed.write_csv(buffer)
        return Response(
            buffer.getvalue().encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            xlsx_bytes(listed),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return {"date": coverage.at.isoformat(), "rows": records(listed)}
