"""The lifecycles of payment cycles and of the payments in them."""

from __future__ import annotations

from laosp.enrolment.transitions import lifecycle

CYCLE = lifecycle(
    "payment cycle",
    "open",
    {"open": ("approved",), "approved": ("paid",), "paid": ("closed",), "closed": ()},
)
PAYMENT = lifecycle(
    "payment",
    "scheduled",
    {
        "scheduled": ("paid", "failed", "cancelled"),
        "paid": (),
        "failed": (),
        "cancelled": (),
    },
)
#: Statuses a payment ends a paid cycle in; "scheduled" must be none of them.
SETTLED = ("paid", "failed", "cancelled")
