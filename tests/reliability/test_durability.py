"""An acknowledged write is durable: in a real ``laosp serve`` process, on a real file
(SQLite in WAL mode) or PostgreSQL, after an analytics read, a restart or a SIGKILL.

The fault these tests keep out: a second SQLite library in the server (the ADBC driver
reading the snapshot) closed its connection, believed it was the last one, checkpointed
and deleted the ``-wal`` file the server's own connections still wrote to — every later
write answered 201 and was gone after a restart.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, Household, Person
from tests.api.conftest import PASSWORD, SECRET, seed
from tests.api.test_bad_input import household
from tests.live_server import LiveServer, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def seeded_url(db_url: str) -> str:
    seed(db_url)
    return db_url


def register(http: httpx.Client, auth: dict[str, str], household_id: str) -> None:
    response = http.post(
        "/api/registry/households",
        json=household(household_id=household_id, head={"person_id": f"{household_id}-1"}),
        headers=auth,
    )
    assert response.status_code == 201, response.text


def stored(db_url: str, household_id: str) -> tuple[bool, int, int]:
    """(the household is there, its persons, the audit events of its writes), read by
    a new engine (reads of it are audited too, and not counted here)."""
    engine = make_engine(db_url)
    try:
        with unit_of_work(engine) as session:
            found = session.get(Household, household_id) is not None
            persons = len(
                session.scalars(
                    select(Person.person_id).where(Person.household_id == household_id)
                ).all()
            )
            events = len(
                session.scalars(
                    select(AuditEvent.id).where(
                        AuditEvent.entity == "household",
                        AuditEvent.entity_id == household_id,
                        AuditEvent.action != "read",
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return found, persons, events


def sqlite_libraries(pid: int) -> set[str]:
    """The SQLite libraries mapped into process ``pid`` (the system's ``libsqlite3``, and
    the ADBC driver, which carries a SQLite of its own)."""
    libraries = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        name = Path(line.split()[-1]).name if "/" in line else ""
        if name.startswith("libsqlite3") or "adbc_driver_sqlite" in name:
            libraries.add(name)
    return libraries


def test_writes_after_an_analytics_read_survive_a_restart(seeded_url: str, backend: str) -> None:
    with LiveServer(seeded_url, SECRET) as server, server.client() as http:
        auth = sign_in(server.base_url, "central", PASSWORD)
        register(http, auth, "DUR-0001")
        assert http.get("/api/indicators", headers=auth).status_code == 200
        register(http, auth, "DUR-0002")
        assert http.get("/api/registry/households/DUR-0002", headers=auth).status_code == 200
        assert http.get("/api/indicators?by=province", headers=auth).status_code == 200
        register(http, auth, "DUR-0003")
        if backend == "sqlite":
            assert len(sqlite_libraries(server.pid)) == 1, sqlite_libraries(server.pid)
    with LiveServer(seeded_url, SECRET) as server, server.client() as http:
        auth = sign_in(server.base_url, "central", PASSWORD)
        for household_id in ("DUR-0001", "DUR-0002", "DUR-0003"):
            response = http.get(f"/api/registry/households/{household_id}", headers=auth)
            assert response.status_code == 200, (household_id, response.text)
            assert len(response.json()["members"]) == 1
    for household_id in ("DUR-0001", "DUR-0002", "DUR-0003"):
        assert stored(seeded_url, household_id) == (True, 1, 1)


def test_a_write_acknowledged_just_before_sigkill_is_kept(seeded_url: str) -> None:
    server = LiveServer(seeded_url, SECRET).start()
    try:
        with server.client() as http:
            auth = sign_in(server.base_url, "central", PASSWORD)
            assert http.get("/api/indicators", headers=auth).status_code == 200
            register(http, auth, "KILL-0001")
            server.kill()
    finally:
        server.stop()
    assert stored(seeded_url, "KILL-0001") == (True, 1, 1)
    with LiveServer(seeded_url, SECRET) as server, server.client() as http:
        auth = sign_in(server.base_url, "central", PASSWORD)
        response = http.get("/api/registry/households/KILL-0001", headers=auth)
        assert response.status_code == 200, response.text
