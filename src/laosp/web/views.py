"""Dashboard routes: each page at ``/name`` (HTML) and ``/name.json`` (its JSON twin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Form, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import AfterValidator, BaseModel, ValidationError

from laosp.access import sessions
from laosp.access.permissions import Action, allows
from laosp.access.roles import Principal
from laosp.access.signin import Throttled, sign_in
from laosp.api.aggregates import reference_date
from laosp.api.csrf import CSRF_FIELD, csrf_token_of
from laosp.api.deps import (
    SESSION_COOKIE,
    CacheClearerDep,
    MaybePrincipal,
    PrincipalDep,
    SessionDep,
    StateDep,
    client_address,
    live_session,
    token_of,
)
from laosp.api.errors import problems, request_errors
from laosp.api.params import (
    LoginPassword,
    LoginUsername,
    ReferenceDate,
    SearchText,
    blank_or_district,
    blank_or_province,
)
from laosp.api.routers.gaps import known_scheme
from laosp.api.routers.projection import DEFAULT_POLICY, checked_policy
from laosp.api.routers.registry import search_persons
from laosp.db import unit_of_work
from laosp.presentation.i18n import LANGS, Formatter, pick_lang
from laosp.registry.errors import ConflictError, ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.registry.service import record_read
from laosp.web import pages
from laosp.web.charts import Series, line_chart, places_chart, tile_map
from laosp.web.paging import pager

LANG_COOKIE = "laosp_lang"
#: The sign-in form: posted before any session, so the CSRF check asks for a token too.
LOGIN_PATH = "/login"
router = APIRouter(include_in_schema=False)
#: A place filter of the dashboard's forms: blank (none) or a known code.
BlankOrDistrict = Annotated[str | None, Query(max_length=4), AfterValidator(blank_or_district)]
BlankOrProvince = Annotated[str | None, Query(max_length=2), AfterValidator(blank_or_province)]
SchemeFilter = Annotated[str | None, Query(max_length=64), PlainText]
SearchQ = Annotated[SearchText, Query()]
#: The indicator the overview's map colours the provinces by (a headline indicator).
MapIndicator = Annotated[str | None, Query(max_length=64), PlainText]
#: A list's page: ``limit`` rows (default 50) after the first ``offset``.
DEFAULT_PAGE = 50
PageLimit = Annotated[int, Query(ge=1, le=500)]
PageOffset = Annotated[int, Query(ge=0, le=1_000_000)]
M = TypeVar("M", bound=BaseModel)


class LoginRequired(Exception):  # noqa: N818 (reads as the condition)
    """An HTML page asked for without a session: redirect to the login page."""


@cache
def templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("laosp.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        places_chart=places_chart,
        line_chart=line_chart,
        Series=Series,
        pager=pager,
        tile_map=tile_map,
    )
    return environment


def formatter(request: Request) -> Formatter:
    return Formatter(pick_lang(request.cookies.get(LANG_COOKIE)))


def render(
    request: Request,
    name: str,
    data: dict[str, Any],
    principal: Principal | None,
    status_code: int = 200,
) -> HTMLResponse:
    text = formatter(request)
    html = (
        templates()
        .get_template(name)
        .render(
            data=data,
            t=text,
            f=text,
            lang=text.lang,
            langs=LANGS,
            principal=principal,
            may_see_persons=principal is not None and allows(principal, Action.read_persons),
            may_clear_cache=principal is not None and allows(principal, Action.clear_cache),
            may_read_audit=principal is not None and allows(principal, Action.read_audit),
            may=lambda action: principal is not None and allows(principal, Action(action)),
            csrf_field=CSRF_FIELD,
            csrf_token=csrf_token_of(request),
            path=request.url.path,
            query=request.url.query,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def page_principal(principal: MaybePrincipal) -> Principal:
    if principal is None:
        raise LoginRequired
    return principal


# --- the forms of the pages (cycles, contributions, grievances, requests) ------------


def validated(model: type[M], form: dict[str, Any]) -> M:
    """``form`` (blank fields left out) as the API's body ``model``; a
    ``ValidationFailed`` with the API's words for each field otherwise."""
    try:
        return model.model_validate({k: v for k, v in form.items() if v not in (None, "")})
    except ValidationError as error:
        found = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        raise ValidationFailed(
            request_errors(RequestValidationError(found), extra_hint=False)
        ) from None


class Refused(Exception):  # noqa: N818 (reads as the outcome)
    """A form's action refused: the status to answer and the messages to show."""

    def __init__(self, code: int, messages: list[dict[str, Any]]) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages


@contextmanager
def form_refusals() -> Iterator[None]:
    """The API's refusals of a form's action as a ``Refused``: 422 with each field's
    reason, 403/404/409 with the API's message."""
    try:
        yield
    except ValidationFailed as error:
        raise Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, problems(error.errors)) from None
    except ConflictError as error:
        raise Refused(status.HTTP_409_CONFLICT, [{"field": None, "reason": str(error)}]) from None
    except HTTPException as error:
        raise Refused(error.status_code, [{"field": None, "reason": str(error.detail)}]) from None


@contextmanager
def attempt(session: SessionDep) -> Iterator[None]:
    """A form's action in a savepoint: refused (``Refused``), it leaves nothing written,
    and the page shown with the refusal reads (and audits) in the same transaction."""
    with session.begin_nested(), form_refusals():
        yield


def see_other(target: str) -> RedirectResponse:
    """The answer to a form done: on to ``target`` (303, so the browser GETs it)."""
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


# --- signing in, language, cache -----------------------------------------------------


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/overview", status.HTTP_303_SEE_OTHER)


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request, next: str = "/overview") -> HTMLResponse:
    return render(request, "login.html", {"error": False, "next": _local(next)}, None)


@router.post(LOGIN_PATH, response_model=None)
def login(
    request: Request,
    username: LoginUsername,
    password: LoginPassword,
    state: StateDep,
    session: SessionDep,
    next: Annotated[str, Form(max_length=2048)] = "/overview",
) -> Response:
    try:
        signed = sign_in(
            session, username, password, address=client_address(request), kind="web",
            policy=state.signin,
        )  # fmt: skip
    except Throttled as error:
        throttled: dict[str, Any] = {"error": str(error), "next": _local(next)}
        return render(request, "login.html", throttled, None, status.HTTP_429_TOO_MANY_REQUESTS)
    if signed is None:
        data = {"error": True, "next": _local(next)}
        return render(request, "login.html", data, None, status.HTTP_401_UNAUTHORIZED)
    target = "/password" if signed.must_change_password else _local(next)
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=state.signin.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    """Sign out: the session ends on the server, not only in this browser."""
    token = token_of(request)
    if token is not None:
        sessions.revoke(session, token)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _local(target: str) -> str:
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/overview"


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/overview") -> RedirectResponse:
    response = RedirectResponse(_local(next), status.HTTP_303_SEE_OTHER)
    response.set_cookie(LANG_COOKIE, pick_lang(code), max_age=365 * 86400, samesite="lax")
    return response


@router.post("/refresh")
def refresh(state: StateDep, _admin: CacheClearerDep, next: str = "/overview") -> Response:
    state.analytics.clear()
    return RedirectResponse(_local(next), status.HTTP_303_SEE_OTHER)


# --- pages and their JSON twins --------------------------------------------------------


@router.get("/overview.json")
def overview_json(
    state: StateDep,
    principal: PrincipalDep,
    date: ReferenceDate = None,
    indicator: MapIndicator = None,
) -> Any:
    return pages.overview(state, reference_date(date), principal, indicator)


@router.get("/overview", response_class=HTMLResponse)
def overview(
    request: Request,
    state: StateDep,
    principal: MaybePrincipal,
    date: ReferenceDate = None,
    indicator: MapIndicator = None,
) -> HTMLResponse:
    data = pages.overview(state, reference_date(date), page_principal(principal), indicator)
    return render(request, "overview.html", data, principal)


def _province_data(
    state: StateDep, code: str, date: dt.date | None, principal: Principal
) -> dict[str, Any]:
    data = pages.province(state, reference_date(date), code, principal)
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no province {code}")
    return data


@router.get("/province/{code}.json")
def province_json(
    state: StateDep, principal: PrincipalDep, code: str, date: ReferenceDate = None
) -> Any:
    return _province_data(state, code, date, principal)


@router.get("/province/{code}", response_class=HTMLResponse)
def province(
    request: Request,
    state: StateDep,
    principal: MaybePrincipal,
    code: str,
    date: ReferenceDate = None,
) -> HTMLResponse:
    data = _province_data(state, code, date, page_principal(principal))
    return render(request, "province.html", data, principal)


def _gaps(
    state: StateDep, session: SessionDep, principal: Principal, date: dt.date | None,
    province: str | None, district: str | None, scheme: str | None, limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    """The gaps page; the named rows it shows are audited like the API's list."""
    known_scheme(state.pack, scheme)
    if province is not None and district is not None and district[:2] != province:
        district = None  # the province was changed in the form: its districts are chosen anew
    data = pages.gaps(
        state, principal, reference_date(date), province, district, scheme, limit, offset
    )
    if data["named"] is not None:
        ids = [row["person_id"] for row in data["named"]["items"]]
        record_read(session, principal, "gap_list", ids, district)
    return data


@router.get("/gaps.json")
def gaps_json(
    state: StateDep,
    session: SessionDep,
    principal: PrincipalDep,
    date: ReferenceDate = None,
    province: BlankOrProvince = None,
    district: BlankOrDistrict = None,
    scheme: SchemeFilter = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> Any:
    return _gaps(state, session, principal, date, province, district, scheme or None, limit, offset)


@router.get("/gaps", response_class=HTMLResponse)
def gaps(
    request: Request,
    state: StateDep,
    session: SessionDep,
    principal: MaybePrincipal,
    date: ReferenceDate = None,
    province: BlankOrProvince = None,
    district: BlankOrDistrict = None,
    scheme: SchemeFilter = None,
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> HTMLResponse:
    who = page_principal(principal)
    data = _gaps(state, session, who, date, province, district, scheme or None, limit, offset)
    return render(request, "gaps.html", data, principal)


@router.get("/projection.json")
def projection_json(state: StateDep, _principal: PrincipalDep, policy: str = DEFAULT_POLICY) -> Any:
    return pages.projection(state, checked_policy(policy))


@router.get("/projection", response_class=HTMLResponse)
def projection(
    request: Request, state: StateDep, principal: MaybePrincipal, policy: str = DEFAULT_POLICY
) -> HTMLResponse:
    page_principal(principal)
    data = pages.projection(state, checked_policy(policy))
    return render(request, "projection.html", data, principal)


def _search(
    session: SessionDep, principal: Principal, q: str, limit: int, offset: int
) -> dict[str, Any]:
    """One page of the search (``limit`` after ``offset``) and the count of every match."""
    if not q.strip():
        return {"q": q, "items": [], "total": 0, "limit": limit, "offset": offset}
    page = search_persons(session, principal, q, None, None, limit, offset).model_dump(mode="json")
    names = pages.district_names()
    for item in page["items"]:
        item["district_name_en"], item["district_name_lo"] = names.get(
            item["district_code"], ("", "")
        )
    return {"q": q, **page}


@router.get("/search.json")
def search_json(
    session: SessionDep,
    principal: PrincipalDep,
    q: SearchQ = "",
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> Any:
    if not allows(principal, Action.read_persons):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "aggregates only for this role")
    return _search(session, principal, q, limit, offset)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: SessionDep,
    principal: MaybePrincipal,
    q: SearchQ = "",
    limit: PageLimit = DEFAULT_PAGE,
    offset: PageOffset = 0,
) -> HTMLResponse:
    who = page_principal(principal)
    if not allows(who, Action.read_persons):
        return render(request, "forbidden.html", {}, who, status.HTTP_403_FORBIDDEN)
    return render(request, "search.html", _search(session, who, q, limit, offset), who)


def mount_web(app: FastAPI) -> None:
    """Add the dashboard's pages, static files and login redirect to ``app``."""

    def to_login(request: Request, _error: Exception) -> Response:
        """To the sign-in page, or to the password page for a user who must change
        their password first."""
        with unit_of_work(request.app.state.laosp.engine) as session:
            found = live_session(request, session)
        if found is not None and found[1]:
            return RedirectResponse("/password", status.HTTP_303_SEE_OTHER)
        return RedirectResponse(f"/login?next={request.url.path}", status.HTTP_303_SEE_OTHER)

    static = resources.files("laosp.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_exception_handler(LoginRequired, to_login)
    app.include_router(router)
