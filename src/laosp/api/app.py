"""The app factory: one engine, one token signer, one analytics cache per app."""

from __future__ import annotations

from fastapi import FastAPI

from laosp import __version__
from laosp.api.analytics import AnalyticsCache
from laosp.api.errors import install_error_handlers
from laosp.api.limits import BodySizeLimit
from laosp.api.state import AppState
from laosp.api.tokens import TokenSigner
from laosp.config import Settings
from laosp.db import make_engine
from laosp.registry.validation import InputLimits

MIN_SECRET_LENGTH = 16


class MissingSecretKey(RuntimeError):  # noqa: N818 (reads as the condition)
    """The API cannot sign sessions without ``LAOSP_SECRET_KEY``."""


def create_app(settings: Settings) -> FastAPI:
    """The REST API and the dashboard over ``settings.database_url``; refuses to start
    without a secret key of at least 16 characters."""
    from laosp.api.routers import auth, gaps, indicators, projection, registry, reports
    from laosp.web.views import mount_web

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
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    app.state.laosp = AppState(
        settings=settings,
        engine=engine,
        signer=TokenSigner(settings.secret_key, settings.session_hours * 3600),
        analytics=AnalyticsCache(engine, settings.dashboard_cache_seconds),
        limits=InputLimits.of(settings),
    )
    for module in (auth, registry, indicators, gaps, projection, reports):
        app.include_router(module.router)
    mount_web(app)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API and dashboard with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
