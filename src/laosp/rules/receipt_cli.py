"""``laosp rules explain --receipt ID``: a decision receipt printed in Lao or English and
checked again.

With the policy pack of the receipt's version (the digest matches: the pack in use, or
the folder given with ``--pack``) the decision is re-evaluated — an enrolment from the
inputs the receipt kept, a payment on the registry as it was on the day its cycle was
created — and the answer says whether it agrees. With another pack the stored
explanation is shown and the answer says that the pack differs.
"""

from __future__ import annotations

import datetime as dt

import typer
from sqlalchemy.orm import Session

from laosp.cli_common import engine_for, fail
from laosp.presentation.i18n import Lang
from laosp.registry.snapshot import load_snapshot
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack
from laosp.rules.receipts import (
    PAYMENT,
    Receipt,
    get_receipt,
    reevaluate_enrolment,
    reevaluate_payment,
    render,
    render_detail,
    same_decision,
)

MESSAGES = {
    "same": (
        "Re-evaluated with this pack version: the same outputs, values and parameters.",
        "ຄິດໄລ່ຄືນດ້ວຍຊຸດນະໂຍບາຍສະບັບນີ້: ຜົນ, ຄ່າ ແລະ ພາລາມິເຕີ ຄືເກົ່າ.",
    ),
    "differs": (
        "Re-evaluated with this pack version: the result DIFFERS from the receipt:",
        "ຄິດໄລ່ຄືນດ້ວຍຊຸດນະໂຍບາຍສະບັບນີ້: ຜົນ ບໍ່ຄືກັບໃບຢັ້ງຢືນ:",
    ),
    "other_pack": (
        "The policy pack in use ({current}) is not the version of this receipt ({stored}): "
        "the stored explanation is shown. Give --pack with the folder of that version to "
        "re-evaluate.",
        "ຊຸດນະໂຍບາຍທີ່ໃຊ້ຢູ່ ({current}) ບໍ່ແມ່ນສະບັບຂອງໃບຢັ້ງຢືນນີ້ ({stored}): "
        "ສະແດງຄຳອະທິບາຍທີ່ບັນທຶກໄວ້. ໃຫ້ --pack ກັບໂຟນເດີຂອງສະບັບນັ້ນ ເພື່ອຄິດໄລ່ຄືນ.",
    ),
}


def _say(key: str, lang: Lang, **values: str) -> str:
    english, lao = MESSAGES[key]
    return (lao if lang == "lo" else english).format(**values)


def _again(receipt: Receipt, db: str | None, pack: Pack) -> dict[str, object]:
    if receipt.kind != PAYMENT:
        return reevaluate_enrolment(pack, receipt)
    unit = receipt.detail["unit_id"]
    by_household = receipt.detail["unit"] == HOUSEHOLD
    snapshot = load_snapshot(
        engine_for(db),
        household_ids=[unit] if by_household else None,
        person_ids=None if by_household else [unit],
        at=receipt.decided_at.date() if receipt.decided_at else dt.date.today(),
    )
    return reevaluate_payment(pack, receipt, snapshot.persons, snapshot.households)


def show_receipt(receipt_id: int, lang: str, pack: Pack, db: str | None) -> None:
    """Print the receipt, then whether the rules of ``pack`` (the pack in use, or the
    folder given) give it again (exit 1 when they do not)."""
    if lang not in ("lo", "en"):
        raise fail("--lang is lo or en", 2)
    chosen: Lang = "lo" if lang == "lo" else "en"
    with Session(engine_for(db)) as session:
        receipt = get_receipt(session, receipt_id)
    if receipt is None:
        raise fail(f"no decision receipt {receipt_id} (ບໍ່ພົບໃບຢັ້ງຢືນເລກ {receipt_id})", 1)
    typer.echo(render(receipt, chosen), nl=False)
    if pack.digest != receipt.pack_digest:
        typer.echo(
            _say(
                "other_pack",
                chosen,
                current=pack.digest[:12],
                stored=receipt.pack_digest[:12],
            )
        )
        return
    again = _again(receipt, db, pack)
    if same_decision(receipt.detail, again):
        typer.echo(_say("same", chosen))
        return
    typer.echo(_say("differs", chosen))
    typer.echo(render_detail(again, chosen), nl=False)
    raise typer.Exit(1)
