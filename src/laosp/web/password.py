"""The dashboard's password page: change one's own password, also right after a reset
or a first sign-in with a one-time password (when nothing else opens until then)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from laosp.access.roles import Principal
from laosp.access.users import UserError, change_password
from laosp.api.deps import SessionDep, live_session, token_of
from laosp.web.views import LoginRequired, render

router = APIRouter(include_in_schema=False)
PASSWORD_PATH = "/password"


def _signed_in(request: Request, session: SessionDep) -> tuple[Principal, bool]:
    found = live_session(request, session)
    if found is None:
        raise LoginRequired
    return found


@router.get(PASSWORD_PATH, response_class=HTMLResponse)
def password_page(request: Request, session: SessionDep) -> HTMLResponse:
    principal, must_change = _signed_in(request, session)
    data = {"error": None, "must_change": must_change}
    return render(request, "password.html", data, None if must_change else principal)


@router.post(PASSWORD_PATH, response_model=None)
def change(
    request: Request,
    session: SessionDep,
    old_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Change the password; the other sessions of the user end, this one goes on."""
    principal, must_change = _signed_in(request, session)
    try:
        change_password(
            session, principal.username, old_password, new_password, keep_token=token_of(request)
        )
    except UserError as error:
        data = {"error": error.reason, "must_change": must_change}
        shown = None if must_change else principal
        return render(request, "password.html", data, shown, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return RedirectResponse("/overview", status.HTTP_303_SEE_OTHER)
