"""Concurrent POSTs of one household on a real server, on both backends: the same new
household sent six times at once is created once, never a 500; the others get what a
request just after the first would (a clean 409 naming it when their data differ,
``unchanged`` when not); concurrent updates of one household run one after the other, so that the
audit trail chains (each change's old value is the value the one before it wrote).

The requests are made to meet: the test holds a lock the writes need (PostgreSQL: the
households table in SHARE mode, until every request waits on a lock; SQLite: the
database's write lock, for a few seconds) and then lets them all go."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from laosp.db import make_engine, unit_of_work
from laosp.models import AuditEvent, Household
from tests.api.conftest import PASSWORD, SECRET
from tests.api.test_bad_input import household
from tests.live_server import LiveServer, sign_in
from tests.locks import household_writes_held, lock_waiters

REQUESTS = 6
#: how long SQLite's write lock is held while the requests arrive (they wait for it)
SQLITE_HOLD_SECONDS = 4.0


@pytest.fixture
def server(seeded_url: str) -> Iterator[LiveServer]:
    with LiveServer(seeded_url, SECRET) as live:
        yield live


def _post_at_once(
    server: LiveServer, db_url: str, bodies: list[dict[str, Any]], update: bool
) -> list[httpx.Response]:
    headers = sign_in(server.base_url, "central", PASSWORD)
    url = f"{server.base_url}/api/registry/households"
    params = {"update": "true"} if update else {}
    with (
        ThreadPoolExecutor(len(bodies)) as pool,
        household_writes_held(
            db_url,
            lambda engine: lock_waiters(engine) >= len(bodies),
            sqlite_seconds=SQLITE_HOLD_SECONDS,
            timeout=120,
        ),
    ):
        futures = [
            pool.submit(httpx.post, url, json=body, headers=headers, params=params, timeout=180)
            for body in bodies
        ]
    return [future.result() for future in futures]


def test_the_same_new_household_posted_at_once_is_created_once(
    server: LiveServer, seeded_url: str
) -> None:
    bodies = [household(village_name=f"Ban {n}") for n in range(REQUESTS)]
    answers = _post_at_once(server, seeded_url, bodies, update=False)

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (REQUESTS - 1), [a.text for a in answers]
    (winner,) = [n for n, answer in enumerate(answers) if answer.status_code == 201]
    assert answers[winner].json()["action"] == "created"
    for answer in answers:
        if answer.status_code == 409:
            assert "household T1" in answer.json()["detail"], answer.text
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        stored = session.get(Household, "T1")
        assert stored is not None
        assert stored.village_name == f"Ban {winner}"
        creates = select(func.count()).where(
            AuditEvent.entity == "household", AuditEvent.entity_id == "T1"
        )
        assert session.scalar(creates) == 1
    engine.dispose()


def test_the_same_household_posted_at_once_with_the_same_data_is_unchanged_after_the_first(
    server: LiveServer, seeded_url: str
) -> None:
    """What a request just after the first would get: ``unchanged``, nothing written."""
    answers = _post_at_once(server, seeded_url, [household()] * REQUESTS, update=False)

    assert [answer.status_code for answer in answers] == [201] * REQUESTS, [
        answer.text for answer in answers
    ]
    actions = sorted(answer.json()["action"] for answer in answers)
    assert actions == ["created"] + ["unchanged"] * (REQUESTS - 1)
    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        events = select(func.count()).where(AuditEvent.entity_id.in_(["T1", "T1-1"]))
        assert session.scalar(events) == 2  # the household and its head, created once
    engine.dispose()


def test_concurrent_updates_of_one_household_chain_in_the_audit_trail(
    server: LiveServer, seeded_url: str
) -> None:
    first = httpx.post(
        f"{server.base_url}/api/registry/households",
        json=household(village_name="Ban Origin"),
        headers=sign_in(server.base_url, "central", PASSWORD),
    )
    assert first.status_code == 201, first.text
    bodies = [household(village_name=f"Ban {n}") for n in range(3)]
    answers = _post_at_once(server, seeded_url, bodies, update=True)
    assert [answer.status_code for answer in answers] == [201] * 3, [a.text for a in answers]

    engine = make_engine(seeded_url)
    with unit_of_work(engine) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity == "household",
                AuditEvent.entity_id == "T1",
                AuditEvent.action == "update",
            )
            .order_by(AuditEvent.id)
        ).all()
        stored = session.get(Household, "T1")
        assert stored is not None
        steps = [tuple(event.changes["village_name"]) for event in events]  # type: ignore[index]
        final = stored.village_name
    engine.dispose()
    assert len(steps) == 3, steps
    assert steps[0][0] == "Ban Origin", steps
    for before, after in itertools.pairwise(steps):
        assert after[0] == before[1], steps  # each change starts where the last one ended
    assert steps[-1][1] == final
    assert sorted(new for _, new in steps) == ["Ban 0", "Ban 1", "Ban 2"]
