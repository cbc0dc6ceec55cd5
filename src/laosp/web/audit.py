"""The dashboard's audit page: the audit trail for an auditor or administrator, filtered
and a page at a time (``/audit`` and its JSON twin), with the seals' verification on
demand (``/api/audit/verify``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from laosp.access import audit_log
from laosp.access.permissions import Action, allows
from laosp.api.deps import AuditorDep, MaybePrincipal, SessionDep
from laosp.api.routers.audit import FiltersDep, Limit, Offset, page_of
from laosp.presentation.i18n import words
from laosp.reference.admin_units import districts
from laosp.web.reform import place_choices
from laosp.web.views import page_principal, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
#: The code lists of the events' actions and records: their names are the ``labels``
#: catalogue's keys ``audit_action.<code>`` and ``audit_entity.<code>``.
ACTIONS, ENTITIES = "audit_action", "audit_entity"


def named(code_list: str, chosen: str | None) -> list[str]:
    """The codes of ``code_list`` that have a name, for the filter's picker, and the
    chosen one whatever it is."""
    prefix = f"{code_list}."
    found = {key.removeprefix(prefix) for key in words("en") if key.startswith(prefix)}
    return sorted(found | ({chosen} if chosen else set()))


def _query(filters: audit_log.AuditFilters, limit: int, offset: int) -> str:
    """The query string of another page of the same filters."""
    values = {
        "actor": filters.actor,
        "entity": filters.entity,
        "entity_id": filters.entity_id,
        "district": filters.district_code,
        "province": filters.province_code,
        "action": filters.action,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "limit": limit,
        "offset": offset,
    }
    return urlencode({name: value for name, value in values.items() if value is not None})


def page_data(
    filters: audit_log.AuditFilters, page: dict[str, Any], limit: int, offset: int
) -> dict[str, Any]:
    shown = len(page["events"])
    names = {row.code: (row.name_en, row.name_lo) for row in districts()}
    for event in page["events"]:
        code = event["district_code"]
        event["district_name_en"], event["district_name_lo"] = names.get(code, (code, code))
    return {
        **page,
        "places": place_choices(),
        "actions": named(ACTIONS, filters.action),
        "entities": named(ENTITIES, filters.entity),
        "filters": {
            "actor": filters.actor or "",
            "entity": filters.entity or "",
            "entity_id": filters.entity_id or "",
            "district": filters.district_code or "",
            "province": filters.province_code or "",
            "action": filters.action or "",
            "since": filters.since.isoformat() if filters.since else "",
            "until": filters.until.isoformat() if filters.until else "",
        },
        "first": offset + 1 if shown else offset,
        "last": offset + shown,
        "previous": _query(filters, limit, max(0, offset - limit)) if offset > 0 else None,
        "next": _query(filters, limit, offset + limit) if offset + shown < page["total"] else None,
    }


@router.get("/audit.json")
def audit_json(
    session: SessionDep,
    principal: AuditorDep,
    filters: FiltersDep,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> Any:
    return page_of(session, principal, filters, limit, offset).model_dump(mode="json")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    principal: MaybePrincipal,
    filters: FiltersDep,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> HTMLResponse:
    who = page_principal(principal)
    if not allows(who, Action.read_audit):
        return render(request, "audit.html", {"forbidden": True}, who, status.HTTP_403_FORBIDDEN)
    page = page_of(session, who, filters, limit, offset).model_dump(mode="json")
    return render(request, "audit.html", page_data(filters, page, limit, offset), who)
