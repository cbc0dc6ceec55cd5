"""The issue's races with two real ``laosp`` processes on PostgreSQL.

To make them meet, the test holds the contested row locked (``SELECT ... FOR UPDATE``)
while it starts the commands: each reads the row, then waits on the lock at its write.
The test starts the second command only when the first waits, then releases the row;
PostgreSQL grants it in order, so the first command writes first and the second must
be refused on re-check, with exit 1 and a message in English and Lao.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from laosp.access.roles import Principal, Role
from laosp.db import unit_of_work
from laosp.enrolment import import_requests, service
from laosp.ledger import cycles
from laosp.ledger.reconciliation import reconcile
from laosp.models import AuditEvent, BenefitPayment, Enrolment
from laosp.rules.pack import Pack
from tests.locks import wait_for_lock_waiters
from tests.operations.conftest import AT, CHECKER, add_officers, register

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
LAOSP = str(Path(sys.executable).parent / "laosp")


@contextmanager
def row_held(engine: Engine, table: str, row_id: int) -> Iterator[Connection]:
    """Hold one row of ``table`` locked until the block ends (then roll back)."""
    with engine.connect() as holder:
        holder.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
        yield holder
        holder.rollback()


#: The CLI environment of each officer of the ``cycle`` fixture's database.
AS: dict[str, dict[str, str]] = {}


def start(db_url: str, *args: str, user: str = "central2") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [LAOSP, *args, "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **AS[user]},
    )


def prepared(engine: Engine, pack: Pack, listing: Path, times: int = 1) -> list[str]:
    """The ids of ``times`` change requests importing ``listing``, prepared by
    ``central`` (``start`` approves as ``central2``)."""
    maker = Principal("central", Role.central_officer)
    with unit_of_work(engine) as session:
        requests = [import_requests.prepare(session, pack, maker, listing) for _ in range(times)]
        return [str(r.request.id) for r in requests if r.request is not None]


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def race(engine: Engine, db_url: str, table: str, row_id: int, *commands: list[str]) -> Any:
    """Start ``commands`` in order while the row is held, each once the previous waits on
    it; release; their (exit code, output)."""
    with row_held(engine, table, row_id):
        processes = []
        for k, command in enumerate(commands, start=1):
            processes.append(start(db_url, *command))
            wait_for_lock_waiters(engine, k)
    return [finish(process) for process in processes]


@pytest.fixture
def cycle(engine: Engine, db_url: str, pack: Pack) -> int:
    """An open MECG cycle of two scheduled payments (P2 and P4), committed."""
    with unit_of_work(engine) as session:
        register(session)
        for unit in ("P2", "P4"):
            enrolment = service.enrol(session, pack, scheme="mecg", unit_id=unit, on=AT)
            service.set_status(session, enrolment.id, "active", on=AT)
        cycle_id = cycles.create_cycle(session, pack, scheme="mecg", period=AT).cycle_id
    AS.clear()
    AS.update(add_officers(engine))
    return cycle_id


def _statuses(engine: Engine, entity: str, entity_id: int) -> list[Any]:
    with Session(engine) as session:
        return [
            changes["status"]
            for changes in session.scalars(
                select(AuditEvent.changes)
                .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
                .where(AuditEvent.action == "status")
                .order_by(AuditEvent.id)
            )
        ]


def test_two_approvals_of_one_cycle_exactly_one_wins(
    engine: Engine, db_url: str, cycle: int
) -> None:
    approve = ["cycle", "approve", str(cycle)]
    (first, first_out), (second, second_out) = race(
        engine, db_url, "payment_cycles", cycle, approve, approve
    )
    assert (first, second) == (0, 1), (first_out, second_out)
    assert "now approved" in first_out
    assert "expected 'open', found 'approved'" in second_out
    assert "ມີຜູ້ອື່ນປ່ຽນແປງ" in second_out
    assert "Traceback" not in second_out
    assert _statuses(engine, "payment_cycle", cycle) == [["open", "approved"]]


def test_a_payment_paid_by_cycle_pay_is_not_cancelled_by_payment_status(
    engine: Engine, db_url: str, cycle: int
) -> None:
    with unit_of_work(engine) as session:
        cycles.approve_cycle(session, cycle, checker=CHECKER)
        payment = min(
            session.scalars(select(BenefitPayment.id).where(BenefitPayment.cycle_id == cycle))
        )
    (paid, paid_out), (cancel, cancel_out) = race(
        engine,
        db_url,
        "benefit_payments",
        payment,
        ["cycle", "pay", str(cycle), "--paid-on", "2025-05-05"],
        ["cycle", "payment-status", str(payment), "cancelled", "--reason", "suspended"],
    )
    assert (paid, cancel) == (0, 1), (paid_out, cancel_out)
    assert "expected 'scheduled', found 'paid'" in cancel_out
    with Session(engine) as session:
        rows = session.execute(
            select(BenefitPayment.status, BenefitPayment.paid_on).where(
                BenefitPayment.cycle_id == cycle
            )
        ).all()
        books = reconcile(session, cycle)
    assert sorted(map(tuple, rows)) == [("paid", dt.date(2025, 5, 5))] * 2
    assert books.balanced
    assert (books.total.paid, books.total.cancelled) == (600_000, 0)
    assert _statuses(engine, "benefit_payment", payment) == []
    shown, shown_out = finish(start(db_url, "cycle", "show", str(cycle)))
    assert shown == 0, shown_out
    assert "reconciled" in shown_out


def test_two_payers_of_one_cycle_pay_it_once(engine: Engine, db_url: str, cycle: int) -> None:
    with unit_of_work(engine) as session:
        cycles.approve_cycle(session, cycle, checker=CHECKER)
    (first, first_out), (second, second_out) = race(
        engine,
        db_url,
        "payment_cycles",
        cycle,
        ["cycle", "pay", str(cycle), "--paid-on", "2025-05-05"],
        ["cycle", "pay", str(cycle), "--paid-on", "2025-05-06"],
    )
    assert (first, second) == (0, 1), (first_out, second_out)
    with Session(engine) as session:
        paid_on = set(
            session.scalars(select(BenefitPayment.paid_on).where(BenefitPayment.cycle_id == cycle))
        )
    assert paid_on == {dt.date(2025, 5, 5)}
    assert _statuses(engine, "payment_cycle", cycle) == [["open", "approved"], ["approved", "paid"]]


def test_an_exited_enrolment_is_not_turned_suspended(
    engine: Engine, db_url: str, cycle: int
) -> None:
    with Session(engine) as session:
        enrolment = min(session.scalars(select(Enrolment.id)))
    set_status = ["enrolment", "set-status", str(enrolment)]
    (exited, exited_out), (suspended, suspended_out) = race(
        engine,
        db_url,
        "enrolments",
        enrolment,
        [*set_status, "exited", "--date", "2025-04-01"],
        [*set_status, "suspended", "--date", "2025-04-01"],
    )
    assert (exited, suspended) == (0, 1), (exited_out, suspended_out)
    assert "expected 'active', found 'exited'" in suspended_out
    with Session(engine) as session:
        stored = session.get(Enrolment, enrolment)
        assert stored is not None
        assert (stored.status, stored.end_date) == ("exited", dt.date(2025, 4, 1))


def test_an_import_does_not_overwrite_an_exit_made_while_it_ran(
    engine: Engine, db_url: str, cycle: int, tmp_path: Path, pack: Pack
) -> None:
    """The agency's list suspends P2's enrolment; an officer exits it after the import
    read it and before it writes: the import is refused as a whole (exit 1)."""
    with Session(engine) as session:
        enrolment = session.scalar(select(Enrolment.id).where(Enrolment.person_id == "P2"))
    assert enrolment is not None
    listing = tmp_path / "members.csv"
    listing.write_text(
        "person_id,scheme,status,start_date\nP2,mecg,suspended,2025-03-01\n", encoding="utf-8"
    )
    (request,) = prepared(engine, pack, listing)
    with row_held(engine, "enrolments", enrolment) as officer:
        officer.execute(
            text("UPDATE enrolments SET status = 'exited', end_date = :end WHERE id = :id"),
            {"end": dt.date(2025, 4, 1), "id": enrolment},
        )
        importer = start(db_url, "requests", "approve", request)
        wait_for_lock_waiters(engine, 1)
        officer.commit()
    code, out = finish(importer)
    assert code == 1, out
    assert "1 enrolments were changed by someone else while the file was imported" in out
    assert "enrolment (file row 2)" in out
    assert "expected 'active', found 'exited'" in out
    with Session(engine) as session:
        stored = session.get(Enrolment, enrolment)
        assert stored is not None
        assert (stored.status, stored.end_date) == ("exited", dt.date(2025, 4, 1))
        imports = session.scalar(
            select(func.count()).where(AuditEvent.entity == "enrolment_import")
        )
    assert imports == 0


@contextmanager
def person_held(engine: Engine, person_id: str) -> Iterator[Connection]:
    """Hold the person's row locked until the block ends (then roll back)."""
    with engine.connect() as holder:
        holder.execute(
            text("SELECT person_id FROM persons WHERE person_id = :id FOR UPDATE"),
            {"id": person_id},
        )
        yield holder
        holder.rollback()


def _nhi_of(engine: Engine, person_id: str) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Enrolment.status, Enrolment.start_date).where(
                Enrolment.scheme == "nhi", Enrolment.person_id == person_id
            )
        ).all()
    return sorted(map(tuple, rows))


def test_three_imports_of_one_file_at_once_enrol_once(
    engine: Engine, db_url: str, cycle: int, tmp_path: Path, pack: Pack
) -> None:
    """The QA's three concurrent ``enrolment import`` of one new list: each waits for
    the one before; the first enrols P1, the others find it registered (no
    UniqueViolation traceback), one audit event."""
    listing = tmp_path / "members.csv"
    listing.write_text("scheme,person_id,status,start_date\nnhi,P1,active,2025-03-01\n")
    requests = prepared(engine, pack, listing, 3)
    with person_held(engine, "P1"):
        processes = []
        for k, request in enumerate(requests, start=1):
            processes.append(start(db_url, "requests", "approve", request))
            wait_for_lock_waiters(engine, k, timeout=30)
    outcomes = [finish(process) for process in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert all("Traceback" not in out for _, out in outcomes)
    assert sum("imported: 0, updated: 0, unchanged: 1" in out for _, out in outcomes) == 2
    assert _nhi_of(engine, "P1") == [("active", AT)]
    with Session(engine) as session:
        created = session.scalar(
            select(func.count()).where(
                AuditEvent.entity == "enrolment", AuditEvent.action == "create"
            )
        )
        imports = session.scalar(
            select(func.count()).where(AuditEvent.entity == "enrolment_import")
        )
    assert (created, imports) == (3, 1)  # P2's and P4's in the cycle fixture, P1's


def test_an_import_racing_an_officers_enrol_leaves_one_open_enrolment(
    engine: Engine, db_url: str, cycle: int, tmp_path: Path, pack: Pack
) -> None:
    """The QA's race: ``enrol P1`` and an import of a list that enrols P1
    from another date. The officer's enrolment is first; the import must then see it
    and report the row as a conflict, not enrol P1 a second time."""
    listing = tmp_path / "members.csv"
    listing.write_text("scheme,person_id,status,start_date\nnhi,P1,active,2025-03-10\n")
    enrol = ["enrol", "P1", "--scheme", "nhi", "--date", "2025-03-01"]
    (request,) = prepared(engine, pack, listing)
    with person_held(engine, "P1"):
        officer = start(db_url, *enrol, "--no-check-eligibility", user="sanamxay")
        wait_for_lock_waiters(engine, 1, timeout=30)
        importer = start(db_url, "requests", "approve", request)
        wait_for_lock_waiters(engine, 2, timeout=30)
    (enrolled, enrolled_out), (imported, imported_out) = finish(officer), finish(importer)
    assert (enrolled, imported) == (0, 0), (enrolled_out, imported_out)
    assert "P1 already has an open enrolment in nhi" in imported_out
    assert "Traceback" not in imported_out
    assert _nhi_of(engine, "P1") == [("pending", AT)]
