"""Fixtures shared by every test: real databases on SQLite and PostgreSQL.

Each backend is migrated once per test session into a template; a test that needs a
database of its own gets a copy (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE``
on PostgreSQL). Tests that only read and write through a session use ``session``, which
rolls back at the end and so is fast.

PostgreSQL comes from ``LAOSP_TEST_POSTGRES_URL`` (default: the local server, trust
auth). When it cannot be reached the PostgreSQL tests are skipped, unless
``LAOSP_REQUIRE_POSTGRES=1`` (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from laosp import migrate
from laosp.db import make_engine

# Property tests explore new examples on every developer run; CI replays a fixed sequence
# so that a submission's result does not depend on the draw (a failure found locally is
# kept in .hypothesis/ and replayed first). Database round trips are slow on a loaded
# machine, so no per-example deadline.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

BACKENDS = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = os.environ.get(
    "LAOSP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("LAOSP_REQUIRE_POSTGRES") == "1"


class _Postgres:
    """Creates and drops throwaway databases on the test server."""

    def __init__(self) -> None:
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.prefix = f"laosp_test_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.template: str | None = None

    def url(self, name: str) -> str:
        return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}{clause}"))
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in reversed(self.created):
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres() -> Iterator[_Postgres]:
    try:
        server = _Postgres()
        with server.admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # the server is down or unreachable
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def _templates(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Lazily migrated template databases, one per backend."""
    return {}


def _template_for(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    templates: dict[str, str] = request.getfixturevalue("_templates")
    if backend not in templates:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("template") / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            migrate.upgrade(engine)
            engine.dispose()
            templates[backend] = str(path)
        else:
            server: _Postgres = request.getfixturevalue("_postgres")
            name = server.create()
            engine = make_engine(server.url(name))
            migrate.upgrade(engine)
            engine.dispose()
            templates[backend] = name
    return templates[backend]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """The URL of a fresh, migrated database of its own for this test."""
    template = _template_for(backend, request, tmp_path_factory)
    if backend == "sqlite":
        path = tmp_path / "laosp.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server: _Postgres = request.getfixturevalue("_postgres")
    return server.url(server.create(template=template))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _shared_engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def session(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_engines: dict[str, Engine],
) -> Iterator[Session]:
    """A session on a shared migrated database; everything it does is rolled back."""
    if backend not in _shared_engines:
        template = _template_for(backend, request, tmp_path_factory)
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("shared") / "shared.db"
            shutil.copyfile(template, path)
            url = f"sqlite:///{path}"
        else:
            server: _Postgres = request.getfixturevalue("_postgres")
            url = server.url(server.create(template=template))
        _shared_engines[backend] = make_engine(url)
    connection = _shared_engines[backend].connect()
    outer = connection.begin()
    db_session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield db_session
    finally:
        db_session.close()
        outer.rollback()
        connection.close()
