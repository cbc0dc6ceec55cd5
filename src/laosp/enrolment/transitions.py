"""Lifecycles as tables of legal transitions, shared by enrolments, payment cycles,
payments and grievances. A request outside the table is refused with a
``TransitionRefused`` naming the current and the requested status; nothing is written.

A transition is written as a compare-and-set (``Lifecycle.move``): the ``UPDATE`` names
the status the change was decided on, so a change that another session committed in
between is never overwritten; it is refused with a ``ConcurrentChange``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from laosp.registry.errors import ConcurrentChange, RegistryError


class TransitionRefused(RegistryError):  # noqa: N818 (reads as the outcome)
    """The requested status cannot follow the current one."""

    def __init__(self, entity: str, entity_id: object, current: str, requested: str) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.current = current
        self.requested = requested
        super().__init__(
            f"{entity} {entity_id}: cannot change status from {current!r} to {requested!r}"
        )


@dataclass(frozen=True)
class Lifecycle:
    """``entity``'s statuses and, for each, the statuses that may follow it."""

    entity: str
    initial: str
    moves: Mapping[str, frozenset[str]]

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.moves)

    def allows(self, current: str, requested: str) -> bool:
        return requested in self.moves.get(current, frozenset())

    def check(self, entity_id: object, current: str, requested: str) -> None:
        if requested not in self.moves:
            raise TransitionRefused(self.entity, entity_id, current, requested)
        if not self.allows(current, requested):
            raise TransitionRefused(self.entity, entity_id, current, requested)

    def move(
        self,
        session: Session,
        model: type[Any],
        entity_id: int,
        current: str,
        requested: str,
        **values: Any,
    ) -> None:
        """Check ``current → requested`` and write it (with ``values``) only if the row
        still has ``current``: ``UPDATE ... WHERE id = :id AND status = :current``.
        ``ConcurrentChange`` (naming the status found) when it does not."""
        self.check(entity_id, current, requested)
        written = session.execute(
            update(model)
            .where(model.id == entity_id, model.status == current)
            .values(status=requested, **values)
            .execution_options(synchronize_session="fetch")
        )
        if written.rowcount != 1:  # type: ignore[attr-defined]
            found = session.scalar(select(model.status).where(model.id == entity_id))
            raise ConcurrentChange(self.entity, entity_id, current, found)

    def is_final(self, status: str) -> bool:
        return not self.moves.get(status)

    def diagram(self) -> str:
        """One line per status: ``pending → active, exited``."""
        return "\n".join(
            f"{status} → {', '.join(sorted(after)) or '(final)'}"
            for status, after in self.moves.items()
        )


def lifecycle(entity: str, initial: str, moves: Mapping[str, tuple[str, ...]]) -> Lifecycle:
    return Lifecycle(entity, initial, {k: frozenset(v) for k, v in moves.items()})


ENROLMENT = lifecycle(
    "enrolment",
    "pending",
    {
        "pending": ("active", "exited"),
        "active": ("suspended", "exited"),
        "suspended": ("active", "exited"),
        "exited": (),
    },
)
#: A status in which an enrolment is open: one open enrolment per unit and scheme.
OPEN_ENROLMENT = ("pending", "active", "suspended")
