"""The HTTP server: the REST API (``laosp.api``) and the dashboard (``laosp.web``) in one
app, one engine, one sign-in policy and one analytics cache per app; ``laosp serve``.

It sits above both: the API does not know the dashboard, the dashboard uses the API's
sign-in, scoping and aggregates.
"""

from __future__ import annotations

import copy
import logging
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI

from laosp import __version__
from laosp.access.signin import SignInPolicy
from laosp.api.analytics import AnalyticsCache
from laosp.api.csrf import CsrfGuard
from laosp.api.deps import SESSION_COOKIE
from laosp.api.errors import install_error_handlers
from laosp.api.limits import BodySizeLimit
from laosp.api.routers import audit as audit_api
from laosp.api.routers import (
    auth,
    contributions,
    cycles,
    enrolments,
    gaps,
    grievances,
    indicators,
    projection,
    registry,
    reports,
    requests,
    rules_diff,
)
from laosp.api.security import SecurityHeaders
from laosp.api.state import AppState
from laosp.api.unhandled import UnhandledErrors
from laosp.cli_common import DbOption, fail, settings_for
from laosp.config import Settings
from laosp.db import make_engine
from laosp.registry.validation import InputLimits
from laosp.rules.configured import pack_of
from laosp.rules.errors import PackError
from laosp.rules.pack import Pack
from laosp.web import audit as audit_page
from laosp.web import cycles as cycles_page
from laosp.web import drill, reform
from laosp.web import grievances as grievances_page
from laosp.web import households as household_pages
from laosp.web import password as password_page
from laosp.web import requests as requests_page
from laosp.web.error_pages import crash_page, install_error_pages
from laosp.web.views import LOGIN_PATH, mount_web

MIN_SECRET_LENGTH = 16


class MissingSecretKey(RuntimeError):  # noqa: N818 (reads as the condition)
    """The dashboard cannot sign its anti-forgery tokens without ``LAOSP_SECRET_KEY``."""


def create_app(settings: Settings, pack: Pack | None = None) -> FastAPI:
    """The REST API and the dashboard over ``settings.database_url``, under the policy
    pack of ``settings.pack_dir`` (loaded once, here, unless the edge that starts the app
    has loaded it already: ``pack``); refuses to start without a secret key of at least
    16 characters, and with a pack that does not load (``PackError``)."""
    if not settings.secret_key or len(settings.secret_key) < MIN_SECRET_LENGTH:
        raise MissingSecretKey(
            "set LAOSP_SECRET_KEY (at least 16 characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) to serve the API"
        )
    app = FastAPI(
        title="laosp API",
        version=__version__,
        description="Registry, coverage indicators, gaps and financing projections of "
        "Lao PDR's National Social Protection Strategy. See docs/API.md.",
    )
    pack = pack if pack is not None else pack_of(settings)
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    app.state.laosp = AppState(
        settings=settings,
        engine=engine,
        pack=pack,
        signin=SignInPolicy(
            max_failures_per_user=settings.signin_max_failures_per_user,
            max_failures_per_address=settings.signin_max_failures_per_address,
            lock_minutes=settings.signin_lock_minutes,
            session_hours=settings.session_hours,
        ),
        analytics=AnalyticsCache(
            engine, pack, settings.dashboard_cache_seconds, settings.analytics_cache_entries
        ),
        limits=InputLimits.of(settings),
    )
    for module in (auth, registry, indicators, gaps, projection, reports, rules_diff, requests):
        app.include_router(module.router)
    app.include_router(cycles.router)
    app.include_router(contributions.router)
    app.include_router(audit_api.router)
    app.include_router(enrolments.router)
    app.include_router(grievances.router)
    app.include_router(household_pages.router)  # before mount_web: its /household page
    mount_web(app)
    app.include_router(reform.router)
    app.include_router(audit_page.router)
    app.include_router(cycles_page.router)
    app.include_router(requests_page.router)
    app.include_router(grievances_page.router)
    app.include_router(drill.router)
    app.include_router(password_page.router)
    install_error_handlers(app)
    install_error_pages(app)
    # innermost first: the CSRF check reads a form's body only within the size limit;
    # every answer, refusals and 500s too, gets the security headers
    app.add_middleware(
        CsrfGuard,
        session_cookie=SESSION_COOKIE,
        pre_session_forms=frozenset({LOGIN_PATH}),
        token_exchanges=frozenset({app.url_path_for(auth.token.__name__)}),
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(UnhandledErrors, page=crash_page)
    app.add_middleware(SecurityHeaders)
    return app


class WithoutQueryString(logging.Filter):
    """Cuts the query string off the path of uvicorn's access log lines: a search's
    ``?q=`` is a person's name, which has no place in a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].partition("?")[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, its access log without query strings."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["without_query"] = {"()": WithoutQueryString}
    config["loggers"]["uvicorn.access"]["filters"] = ["without_query"]
    return config


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8000, pack: Pack | None = None
) -> None:
    """Run the API and dashboard with uvicorn until interrupted."""
    uvicorn.run(
        create_app(settings, pack), host=host, port=port, log_level="info", log_config=log_config()
    )


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the REST API (/docs) and the dashboard (/) with uvicorn; needs
    LAOSP_SECRET_KEY."""
    try:
        serve(settings_for(db), host, port)
    except MissingSecretKey as error:
        raise fail(str(error)) from None
    except PackError as error:
        raise fail(f"policy pack: {error}", 2) from None


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_command)
