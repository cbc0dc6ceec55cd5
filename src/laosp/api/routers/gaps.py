"""Who is left behind: counts for every role (small cells suppressed for roles without
``read_small_cells``); the named list only inside one's area, every read of it audited
(a CSV or Excel download as an ``export``)."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from laosp.access.permissions import Action, reach
from laosp.access.roles import Principal
from laosp.api.aggregates import (
    gap_counts,
    left_out,
    left_out_by,
    named_gap_list,
    reference_date,
    shown_to,
)
from laosp.api.deps import PrincipalDep, SessionDep, StateDep, allowed_to
from laosp.api.downloads import XLSX, attachment, downloads
from laosp.api.errors import documented
from laosp.api.params import DistrictCode, ReferenceDate
from laosp.api.routers.registry import OUTSIDE
from laosp.indicators.export import records, write_xlsx
from laosp.indicators.gaps import gap_schemes
from laosp.presentation.cells import inert_text
from laosp.registry import service
from laosp.registry.errors import FieldError, ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.rules.pack import Pack

#: The scheme filter's value for the persons no scheme covers.
UNCOVERED = "uncovered"
router = APIRouter(prefix="/api/gaps", tags=["gaps"], responses=documented(401, 422))

SchemeQuery = Annotated[
    str | None, Query(description="scheme code, or 'uncovered'", max_length=64), PlainText
]


def known_scheme(pack: Pack, scheme: str | None) -> str | None:
    """``scheme`` if the pack has a gap list for it (or it is ``uncovered``); a 422 in
    the API's shape otherwise (an unknown code would list nobody, as if none were left
    behind)."""
    known = gap_schemes(pack)
    if scheme is None or scheme == UNCOVERED or scheme in known:
        return scheme
    reason = (
        f"must be one of the schemes with a gap list ({', '.join(known)}) or {UNCOVERED} / "
        "ຕ້ອງເປັນໂຄງການທີ່ມີລາຍຊື່ຜູ້ຕົກຫຼົ່ນ ຫຼື uncovered"
    )
    raise ValidationFailed([FieldError("scheme", scheme, reason)])


@router.get("")
def counts(state: StateDep, principal: PrincipalDep, date: ReferenceDate = None) -> dict[str, Any]:
    """Counts by gap (``uncovered`` or ``eligible_not_enrolled``), scheme and district,
    each row of its ``unit`` (persons, or households for a scheme that enrols households);
    ``left_out``: the persons eligible for at least one scheme they are not enrolled in,
    each once (nationally, and ``left_out_by_district``)."""
    coverage = state.analytics.coverage(reference_date(date))
    cells = state.settings.small_cell_threshold
    return {
        "date": coverage.at.isoformat(),
        "rows": shown_to(principal, gap_counts(coverage), cells),
        "left_out": shown_to(principal, [left_out(coverage)], cells)[0],
        "left_out_by_district": shown_to(principal, left_out_by(coverage, "district"), cells),
    }


def xlsx_bytes(frame: Any) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gaps.xlsx"
        write_xlsx({"List": frame}, path)
        return path.read_bytes()


#: The named list is an export of personal data: ``export_named`` (officers, in their area).
ExporterDep = Annotated[Principal, allowed_to(Action.export_named)]

LIST_CONTENT = downloads(
    "The list as JSON, CSV or Excel (``format``)", "text/csv", XLSX, or_json=True
)


@router.get("/list", response_model=None, responses={**LIST_CONTENT, **documented(403)})
def named_list(
    state: StateDep,
    session: SessionDep,
    principal: ExporterDep,
    date: ReferenceDate = None,
    district: DistrictCode = None,
    scheme: SchemeQuery = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> dict[str, Any] | Response:
    """The named list of persons left behind, inside your area (personal data)."""
    known_scheme(state.pack, scheme)
    area = reach(principal, Action.export_named)
    if district is not None and not area.contains(district):
        raise HTTPException(status.HTTP_403_FORBIDDEN, OUTSIDE)
    coverage = state.analytics.coverage(reference_date(date))
    listed = named_gap_list(coverage, area, district, scheme)
    service.record_read(
        session, principal, "gap_list", listed.get_column("person_id").to_list(),
        district or area.district_code,
        action="read" if format == "json" else "export",
        details={"format": format, "scheme": scheme, "date": coverage.at.isoformat()},
    )  # fmt: skip
    name = f"gaps-{district or 'area'}-{coverage.at.isoformat()}"
    if format == "csv":
        buffer = io.StringIO()
        inert_text(listed).write_csv(buffer)
        return Response(
            buffer.getvalue().encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers=attachment(f"{name}.csv"),
        )
    if format == "xlsx":
        return Response(
            xlsx_bytes(listed),
            media_type=XLSX,
            headers=attachment(f"{name}.xlsx"),
        )
    return {"date": coverage.at.isoformat(), "rows": records(listed)}
