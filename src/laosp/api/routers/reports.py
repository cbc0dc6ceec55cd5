"""Ministerial briefs for download: the coverage brief as PDF or Excel, in Lao or English.

Aggregates only (no names), open to every signed-in role like the indicators; a
provincial or district officer gets the brief of their own province. A role without
``read_small_cells`` gets the small cells blank (``laosp.api.aggregates``).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal, TypeVar

import polars as pl
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from pydantic import StringConstraints

from laosp.access.permissions import Action, allows, area_of
from laosp.access.roles import Principal
from laosp.api.aggregates import reference_date, suppress_small_frame
from laosp.api.deps import PrincipalDep, StateDep
from laosp.api.downloads import XLSX, attachment, downloads
from laosp.api.errors import documented
from laosp.api.params import ReferenceDate
from laosp.presentation.i18n import pick_lang

router = APIRouter(
    prefix="/reports", tags=["reports"], responses=documented(401, 403, 404, 422, 503)
)
LANG_COOKIE = "laosp_lang"


def brief_province(principal: Principal, asked: str | None) -> str | None:
    """The province of ``principal``'s brief: their own for a provincial or district
    officer (403 for another), else the province asked for (``None``: the country)."""
    from laosp.reports.coverage import place_names

    area = area_of(principal)
    own = area.province_code or (area.district_code[:2] if area.district_code else None)
    if own is not None:
        if asked not in (None, own):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ")
        return own
    if asked is not None and asked not in place_names("province"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no province {asked}")
    return asked


Brief = TypeVar("Brief")


def shown_to(principal: Principal, brief: Brief, threshold: int) -> Brief:
    """``brief`` with every table's small cells blank unless ``principal`` may read
    small cells (the cached brief itself is left whole)."""
    if allows(principal, Action.read_small_cells):
        return brief
    tables = {
        field.name: suppress_small_frame(value, threshold)
        for field in dataclasses.fields(brief)  # type: ignore[arg-type]
        if isinstance(value := getattr(brief, field.name), pl.DataFrame)
    }
    return dataclasses.replace(brief, **tables)  # type: ignore[type-var]


BRIEF_CONTENT = downloads("The brief as PDF or Excel (``fmt``)", "application/pdf", XLSX)


@router.get("/coverage.{fmt}", response_class=Response, responses=BRIEF_CONTENT)
def coverage(
    request: Request,
    state: StateDep,
    principal: PrincipalDep,
    fmt: Literal["pdf", "xlsx"],
    date: ReferenceDate = None,
    lang: Annotated[
        Literal["lo", "en"] | None, Query(description="lo or en (default: the dashboard's)")
    ] = None,
    province: Annotated[
        Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")] | None,
        Query(description="province code PP (404 for one that does not exist)"),
    ] = None,
) -> Response:
    """The coverage brief of the country, or of your province."""
    from laosp.reports.coverage import load_coverage_brief
    from laosp.reports.fonts import MissingLaoFont
    from laosp.reports.render import MEDIA_TYPES, coverage_report

    at = reference_date(date)
    scope = brief_province(principal, province)
    brief = state.analytics.cached(
        ("report-coverage", at, scope),
        lambda: load_coverage_brief(state.engine, state.pack, at, scope),
    )
    brief = shown_to(principal, brief, state.settings.small_cell_threshold)
    language = pick_lang(lang or request.cookies.get(LANG_COOKIE))
    try:
        content = coverage_report(brief, language, fmt)
    except MissingLaoFont as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from None
    name = f"coverage-{scope or 'national'}-{at.isoformat()}-{language}.{fmt}"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers=attachment(name),
    )
