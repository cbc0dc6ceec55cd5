"""The audit trail: who did what to which record, sealed so that tampering shows.

Every event is written with ``record`` (or, by bulk writers, with ``transaction_id``
on their rows) in the transaction of the change. When that transaction commits, its
events are sealed: one ``AuditSeal`` row whose hash covers the previous seal's hash and
the canonical text of each event. ``verify`` recomputes the chain; an event changed,
deleted or added outside a sealed transaction, or a seal changed or removed from the
middle, is reported. The tables are append-only at the database (triggers of migration
0007), so the application itself cannot change them either. A chain can still lose its
newest seals unnoticed; ``verify`` prints the head hash so that it can be kept elsewhere
(a printed report, a second system) and compared later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, groupby
from typing import Any

from sqlalchemy import Connection, event, func, insert, select, text
from sqlalchemy.orm import Session

from laosp.models import AuditEvent, AuditSeal

TXN_KEY = "laosp_audit_txn"
GENESIS = "0" * 64
#: The advisory lock that orders seals on PostgreSQL (SQLite has one writer anyway).
SEAL_LOCK = 7_203_012
#: Rows ``verify`` fetches at a time.
VERIFY_BATCH = 10_000
EVENT_COLUMNS = (
    AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.entity,
    AuditEvent.entity_id, AuditEvent.changes, AuditEvent.district_code,
)  # fmt: skip


def transaction_id(session: Session) -> str:
    """The audit id of the session's current transaction (made on first use)."""
    txn: str | None = session.info.get(TXN_KEY)
    if txn is None:
        txn = uuid.uuid4().hex
        session.info[TXN_KEY] = txn
    return txn


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    changes: dict[str, Any] | None = None,
    district_code: str | None = None,
) -> None:
    """Write one audit event in the session's transaction."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=changes,
            district_code=district_code,
            txn=transaction_id(session),
        )
    )
    session.flush()


def _utc(moment: object) -> str:
    if isinstance(moment, dt.datetime):
        naive = moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
        return naive.isoformat(sep=" ")
    return str(moment)


def canonical(row: Sequence[Any]) -> str:
    """One event as the text its seal hashes (the same on both backends)."""
    event_id, at, actor, action, entity, entity_id, changes, district = row
    text: str = json.dumps(
        [event_id, _utc(at), actor, action, entity, entity_id, changes, district],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return text


def chain_hash(prev_hash: str, rows: Iterable[Sequence[Any]]) -> tuple[str, int]:
    """The hash of a seal over ``rows`` following ``prev_hash``, and how many rows."""
    digest = hashlib.sha256(prev_hash.encode())
    count = 0
    for row in rows:
        digest.update(b"\n")
        digest.update(canonical(row).encode())
        count += 1
    return digest.hexdigest(), count


def _events_of(connection: Connection, txn: str) -> Iterator[Sequence[Any]]:
    query = select(*EVENT_COLUMNS).where(AuditEvent.txn == txn).order_by(AuditEvent.id)
    yield from connection.execute(query)


def seal(connection: Connection, txn: str) -> None:
    """Seal the events of transaction ``txn`` (inside it, just before it commits)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK})
    head = connection.execute(
        select(AuditSeal.seq, AuditSeal.hash).order_by(AuditSeal.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (head[0], head[1]) if head is not None else (0, GENESIS)
    digest, count = chain_hash(prev_hash, _events_of(connection, txn))
    if count == 0:
        return
    connection.execute(
        insert(AuditSeal).values(
            seq=seq + 1,
            txn=txn,
            events=count,
            prev_hash=prev_hash,
            hash=digest,
            sealed_at=dt.datetime.now(dt.UTC),
        )
    )


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    txn = session.info.pop(TXN_KEY, None)
    if txn is not None:
        session.flush()
        seal(session.connection(), txn)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(TXN_KEY, None)


@dataclass
class Verification:
    """What ``verify`` found: seals and events checked, and every problem."""

    seals: int = 0
    events: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _sealed_events(connection: Connection) -> Iterator[Sequence[Any]]:
    """Every seal in order, each followed by its events: one streamed query, so that
    the whole chain is never in memory at once. Rows: the seal's ``seq, txn, events,
    prev_hash, hash``, then an event's ``EVENT_COLUMNS`` (all ``None`` for a seal whose
    events are all gone)."""
    query = (
        select(AuditSeal.seq, AuditSeal.txn, AuditSeal.events, AuditSeal.prev_hash,
               AuditSeal.hash, *EVENT_COLUMNS)
        .select_from(AuditSeal)
        .outerjoin(AuditEvent, AuditEvent.txn == AuditSeal.txn)
        .order_by(AuditSeal.seq, AuditEvent.id)
    )  # fmt: skip
    streamed = connection.execution_options(stream_results=True, yield_per=VERIFY_BATCH)
    yield from streamed.execute(query)


def verify(connection: Connection) -> Verification:
    """Recompute the whole chain; every mismatch is a problem of the result."""
    result = Verification()
    expected_prev, expected_seq = GENESIS, 1
    for seq, rows in groupby(_sealed_events(connection), key=lambda row: row[0]):
        first = next(rows)
        _, _txn, count, prev_hash, stored = first[:5]
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            result.problems.append(f"seal {missing} is missing (the next is {seq})")
        if prev_hash != expected_prev:
            result.problems.append(f"seal {seq} does not follow the seal before it")
        events = (row[5:] for row in chain([first], rows) if row[5] is not None)
        digest, found = chain_hash(prev_hash, events)
        if found != count:
            result.problems.append(f"seal {seq}: {count} events were sealed, {found} remain")
        elif digest != stored:
            result.problems.append(f"seal {seq}: an event was changed since it was sealed")
        expected_prev, expected_seq = stored, seq + 1
        result.seals += 1
        result.events += found
    result.head_hash = expected_prev
    sealed = select(AuditSeal.txn)
    unsealed = connection.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where((AuditEvent.txn.is_(None)) | (AuditEvent.txn.not_in(sealed)))
    ).scalar_one()
    if unsealed:
        result.problems.append(f"{unsealed} events belong to no seal (written outside the app)")
    return result
