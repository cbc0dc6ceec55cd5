"""A payment cycle's row by id, and the audit entity its events carry: what the cycle
service and the reconciliation both read."""

from __future__ import annotations

from sqlalchemy.orm import Session

from laosp.models import PaymentCycle
from laosp.registry.errors import NotFoundError

ENTITY = "payment_cycle"


def get_cycle(session: Session, cycle_id: int) -> PaymentCycle:
    cycle = session.get(PaymentCycle, cycle_id)
    if cycle is None:
        raise NotFoundError("payment cycle", str(cycle_id))
    return cycle
