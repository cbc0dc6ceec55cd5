"""Decision receipts: every enrolment decision and every payment keeps the pack's
digest and the explanation; ``laosp rules explain --receipt`` shows it in Lao or
English and re-evaluates it with its pack version.

Expected values are the pack's (``packs/lao/parameters/mecg.yaml``): MECG pays 150,000
kip a month, every two months, to pregnant women from the 4th month in Sanamxay
(1703); ``P2`` is in her 5th month at 2025-03-01.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.enrolment import service
from laosp.ledger import cycles
from laosp.models import BenefitPayment, DecisionReceipt
from laosp.rules.pack import BUNDLED, Pack, load_pack
from laosp.rules.receipts import (
    ENROLMENT,
    PAYMENT,
    get_receipt,
    receipts_of,
    reevaluate_enrolment,
    render,
    same_decision,
)
from tests.operations.conftest import AT, register

runner = CliRunner()


def _changed_pack(tmp_path: Path, value: int) -> Path:
    """A copy of the bundled pack where pregnant women qualify from month ``value``."""
    folder = tmp_path / f"pack-{value}"
    shutil.copytree(BUNDLED, folder)
    path = folder / "parameters" / "mecg.yaml"
    text = path.read_text(encoding="utf-8")
    old = '{date: 2021-06-18, value: 4, status: confirmed, reference: "UNICEF / Joint SDG Fund"}'
    assert old in text
    path.write_text(text.replace(old, old.replace("value: 4", f"value: {value}")), "utf-8")
    return folder


def test_an_enrolment_keeps_a_receipt_that_reproduces_it(
    people: Session, pack: Pack, tmp_path: Path
) -> None:
    enrolment = service.enrol(people, pack, scheme="mecg", unit_id="P2", on=AT, actor="somsak")
    (receipt_id,) = receipts_of(people, ENROLMENT, enrolment.id)
    receipt = get_receipt(people, receipt_id)
    assert receipt is not None
    assert (receipt.scheme, receipt.unit_id, receipt.reference_date) == ("mecg", "P2", AT)
    assert (receipt.pack_digest, receipt.actor) == (pack.digest, "somsak")
    assert receipt.detail["eligibility"] == {
        "output": "mecg.eligible",
        "equals": True,
        "value": True,
        "eligible": True,
    }
    step = next(s for s in receipt.detail["steps"] if s["output"] == "mecg.eligible")
    assert step["inputs"]["pregnancy_month"] == 5
    threshold = next(p for p in step["parameters"] if p["name"] == "mecg.min_pregnancy_month")
    assert (threshold["value"], threshold["since"]) == (4, "2021-06-18")
    assert "Eligible: mecg.eligible = true (needs true)" in receipt.explanation
    # the same pack gives the same decision from the inputs kept, years later
    assert same_decision(receipt.detail, reevaluate_enrolment(pack, receipt))
    # a pack where she would not qualify: another digest, another decision
    stricter = load_pack(_changed_pack(tmp_path, 6))
    assert stricter.digest != receipt.pack_digest
    again = reevaluate_enrolment(stricter, receipt)
    assert again["eligibility"]["eligible"] is False
    assert not same_decision(receipt.detail, again)
    # printable in Lao: Lao words, dates dd/mm/yyyy
    lao = render(receipt, "lo")
    assert "ໃບຢັ້ງຢືນການຕັດສິນ" in lao
    assert "ມີສິດ: mecg.eligible = true" in lao
    assert "ວັນທີອ້າງອີງ: 01/03/2025" in lao
    assert "ນັບແຕ່ 18/06/2021" in lao


def test_a_cycle_writes_one_receipt_per_payment(people: Session, pack: Pack) -> None:
    ids = {}
    for unit in ("P2", "P4"):
        enrolment = service.enrol(people, pack, scheme="mecg", unit_id=unit, on=AT)
        service.set_status(people, enrolment.id, "active", on=AT)
        ids[unit] = enrolment.id
    outcome = cycles.create_cycle(people, pack, scheme="mecg", period=AT, actor="finance")
    payments = dict(
        people.execute(
            select(BenefitPayment.enrolment_id, BenefitPayment.id).where(
                BenefitPayment.cycle_id == outcome.cycle_id
            )
        ).all()
    )
    count = people.scalar(
        select(func.count()).select_from(DecisionReceipt).where(DecisionReceipt.kind == PAYMENT)
    )
    assert count == 2
    (receipt_id,) = receipts_of(people, PAYMENT, payments[ids["P2"]])
    receipt = get_receipt(people, receipt_id)
    assert receipt is not None
    assert receipt.detail["amount"] == 300_000  # 2 months x 150,000
    assert receipt.detail["months"] == ["2025-03-01", "2025-04-01"]
    assert receipt.detail["inputs"]["pregnancy_month"] == 5
    assert (receipt.actor, receipt.pack_digest, receipt.unit_id) == ("finance", pack.digest, "P2")
    assert "Amount: 300,000 LAK (function: maternity)" in receipt.explanation
    assert receipt.explanation == render(receipt, "en").split("\n", 3)[3]
    assert "ຈຳນວນເງິນ: 300.000 ກີບ" in render(receipt, "lo")


@pytest.fixture
def decided(engine: Engine, db_url: str, pack: Pack) -> dict[str, int]:
    with unit_of_work(engine) as session:
        register(session)
        enrolment = service.enrol(session, pack, scheme="mecg", unit_id="P2", on=AT)
        service.set_status(session, enrolment.id, "active", on=AT)
        outcome = cycles.create_cycle(session, pack, scheme="mecg", period=AT)
        payment = session.scalar(
            select(BenefitPayment.id).where(BenefitPayment.cycle_id == outcome.cycle_id)
        )
        assert payment is not None
        return {
            "enrolment": receipts_of(session, ENROLMENT, enrolment.id)[0],
            "payment": receipts_of(session, PAYMENT, payment)[0],
        }


def _explain(db_url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(build_app(), ["rules", "explain", *args, "--db", db_url])
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.slow
def test_explain_receipt_re_evaluates_with_its_pack_version(
    decided: dict[str, int], db_url: str, tmp_path: Path
) -> None:
    shown = _explain(db_url, "--receipt", str(decided["enrolment"]))
    assert "Eligible: mecg.eligible = true" in shown
    assert "the same outputs, values and parameters" in shown
    lao = _explain(db_url, "--receipt", str(decided["enrolment"]), "--lang", "lo")
    assert "ໃບຢັ້ງຢືນການຕັດສິນ" in lao
    assert "ຜົນ, ຄ່າ ແລະ ພາລາມິເຕີ ຄືເກົ່າ" in lao
    paid = _explain(db_url, "--receipt", str(decided["payment"]))
    assert "300,000 LAK" in paid
    assert "the same outputs" in paid
    # the pack folder of that version (a copy: same files, same digest) re-evaluates too
    copy = tmp_path / "copy"
    shutil.copytree(BUNDLED, copy)
    assert "the same outputs" in _explain(
        db_url, "--receipt", str(decided["enrolment"]), "--pack", str(copy)
    )
    # another version: said so, the stored explanation shown, no re-evaluation
    other = _explain(
        db_url, "--receipt", str(decided["enrolment"]), "--pack", str(_changed_pack(tmp_path, 6))
    )
    assert "is not the version of this receipt" in other
    assert "Eligible: mecg.eligible = true" in other
    missing = runner.invoke(build_app(), ["rules", "explain", "--receipt", "999", "--db", db_url])
    assert missing.exit_code == 1
    assert "no decision receipt 999" in missing.output
    bad = runner.invoke(
        build_app(), ["rules", "explain", "--receipt", "1", "--lang", "fr", "--db", db_url]
    )
    assert bad.exit_code == 2
