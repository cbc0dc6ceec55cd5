"""Two checkers decide the same request at the same time on two connections: exactly one
decision is recorded and applied, the other is told it was decided already."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from laosp.access import approvals, user_admin
from laosp.access.roles import Principal, Role
from laosp.access.users import create_user
from laosp.db import unit_of_work
from laosp.models import AuditEvent, User

MAKER = Principal("maker", Role.admin)
CHECKERS = (Principal("checker-a", Role.admin), Principal("checker-b", Role.admin))


def _decide_and_apply(
    engine: Engine,
    checker: Principal,
    request_id: int,
    barrier: threading.Barrier,
    outcomes: list[Any],
) -> None:
    barrier.wait()
    try:
        with unit_of_work(engine) as session:
            request = approvals.decide(session, checker, request_id, approve=True)
            user_admin.apply(session, request, checker)
        outcomes.append(checker.username)
    except approvals.RequestError as error:
        outcomes.append(str(error))


@pytest.mark.parametrize("attempt", range(3))
def test_only_one_of_two_concurrent_checkers_decides(engine: Engine, attempt: int) -> None:
    with unit_of_work(engine) as session:
        for principal in (MAKER, *CHECKERS):
            create_user(session, principal.username, "a long password", Role.admin)
        request_id = user_admin.prepare(
            session, MAKER, "create", f"new-{attempt}", role=Role.analyst
        ).id
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    threads = [
        threading.Thread(target=_decide_and_apply, args=(engine, c, request_id, barrier, outcomes))
        for c in CHECKERS
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [o for o in outcomes if o in ("checker-a", "checker-b")]
    assert len(winners) == 1, outcomes
    assert any("already approved" in str(o) for o in outcomes), outcomes
    with unit_of_work(engine) as session:
        users = session.scalar(select(func.count()).where(User.username == f"new-{attempt}"))
        approvals_recorded = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "approve", AuditEvent.entity_id == str(request_id)
            )
        )
    assert (users, approvals_recorded) == (1, 1)
