"""The HTTP server: the REST API (``laosp.api``) and the dashboard (``laosp.web``) in one
app, one engine, one token signer and one analytics cache per app; ``laosp serve``.

It sits above both: the API does not know the dashboard, the dashboard uses the API's
sign-in, scoping and aggregates.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI

from laosp import __version__
from laosp.api.analytics import AnalyticsCache
from laosp.api.errors import install_error_handlers
from laosp.api.limits import BodySizeLimit
from laosp.api.routers import auth, gaps, indicators, projection, registry, reports, rules_diff
from laosp.api.state import AppState
from laosp.api.tokens import TokenSigner
from laosp.cli_common import DbOption, fail, settings_for
from laosp.config import Settings
from laosp.db import make_engine
from laosp.registry.validation import InputLimits
from laosp.rules.configured import pack_of
from laosp.rules.errors import PackError
from laosp.rules.pack import Pack
from laosp.web import reform
from laosp.web.views import mount_web

MIN_SECRET_LENGTH = 16


class MissingSecretKey(RuntimeError):  # noqa: N818 (reads as the condition)
    """The API cannot sign sessions without ``LAOSP_SECRET_KEY``."""


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
        signer=TokenSigner(settings.secret_key, settings.session_hours * 3600),
        analytics=AnalyticsCache(engine, pack, settings.dashboard_cache_seconds),
        limits=InputLimits.of(settings),
    )
    for module in (auth, registry, indicators, gaps, projection, reports, rules_diff):
        app.include_router(module.router)
    mount_web(app)
    app.include_router(reform.router)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)
    return app


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 8000, pack: Pack | None = None
) -> None:
    """Run the API and dashboard with uvicorn until interrupted."""
    uvicorn.run(create_app(settings, pack), host=host, port=port, log_level="info")


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
