"""Decision receipts (``laosp.models.receipt``): what an enrolment decision or a payment
was decided on, kept so that it can be shown and re-checked years later.

A receipt holds the policy pack's digest (``Pack.digest``) and name, the reference date,
the explanation as English text and as data (``detail``): the outputs with their values
and formulas, the registry inputs they read, the parameters with their values, dates
and references. An enrolment receipt also keeps the rule inputs of the unit's household,
so re-evaluating it needs nothing from the registry; a payment receipt keeps the inputs
its amount formula reads, and is re-evaluated on the registry as it was on the day the
cycle was created (``load_snapshot(at=)``).

``render`` prints a receipt in Lao or English from its ``detail`` (dates dd/mm/yyyy,
kip as ``laosp.presentation.i18n`` writes them); the stored English text is
``render(..., "en")`` of the same detail at the time of the decision.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import String, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from laosp.models import BenefitPayment, DecisionReceipt
from laosp.presentation.i18n import Formatter, Lang
from laosp.rules.engine import evaluate
from laosp.rules.explain import explain
from laosp.rules.fields import HOUSEHOLD, HOUSEHOLD_FIELDS, PERSON, PERSON_FIELDS
from laosp.rules.pack import Key, Pack, Scheme

ENROLMENT = "enrolment"
PAYMENT = "payment"
CHUNK = 5_000
RECEIPTS: Table = DecisionReceipt.__table__  # type: ignore[assignment]

#: The fixed words of a printed receipt (English, Lao).
WORDS: dict[str, tuple[str, str]] = {
    "title": ("Decision receipt", "ໃບຢັ້ງຢືນການຕັດສິນ"),
    "enrolment": ("Enrolment", "ການລົງທະບຽນເຂົ້າໂຄງການ"),
    "payment": ("Payment", "ການຈ່າຍເງິນ"),
    "scheme": ("Scheme", "ໂຄງການ"),
    "person": ("Person", "ບຸກຄົນ"),
    "household": ("Household", "ຄົວເຮືອນ"),
    "reference_date": ("Reference date", "ວັນທີອ້າງອີງ"),
    "decided": ("Decided on", "ຕັດສິນວັນທີ"),
    "by": ("by", "ໂດຍ"),
    "pack": ("Policy pack", "ຊຸດນະໂຍບາຍ"),
    "eligible": ("Eligible", "ມີສິດ"),
    "not_eligible": ("Not eligible", "ບໍ່ມີສິດ"),
    "no_rule": ("The scheme has no eligibility rule", "ໂຄງການບໍ່ມີເງື່ອນໄຂສິດ"),
    "not_checked": (
        "Eligibility was not required for this enrolment",
        "ການລົງທະບຽນນີ້ບໍ່ໄດ້ກວດສິດ",
    ),
    "needs": ("needs", "ຕ້ອງເປັນ"),
    "formula": ("formula", "ສູດ"),
    "not_in_force": ("not in force at this date", "ບໍ່ມີຜົນບັງຄັບໃຊ້ໃນວັນທີນີ້"),
    "since": ("since", "ນັບແຕ່"),
    "amount": ("Amount", "ຈຳນວນເງິນ"),
    "cycle": ("Cycle", "ຮອບ"),
    "months": ("months paid for", "ເດືອນທີ່ຈ່າຍໃຫ້"),
    "function": ("function", "ໜ້າທີ່"),
    "inputs": ("registry values read", "ຂໍ້ມູນທະບຽນທີ່ໃຊ້"),
}


def word(key: str, lang: Lang) -> str:
    english, lao = WORDS[key]
    return lao if lang == "lo" else english


# --- building ------------------------------------------------------------------------


def _closure(pack: Pack, key: Key) -> set[Key]:
    """``key`` and every output it reads, directly or not."""
    seen: set[Key] = set()
    todo = [key]
    while todo:
        current = todo.pop()
        if current in seen or current not in pack.outputs:
            continue
        seen.add(current)
        todo.extend(pack.outputs[current].deps)
    return seen


def _output_key(pack: Pack, name: str) -> Key:
    for key in pack.outputs:
        if key[0] == name:
            return key
    raise KeyError(name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [_jsonable(row) for row in frame.iter_rows(named=True)]


def _stored_fields(fields: dict[str, Any]) -> list[str]:
    return [name for name, field in fields.items() if not field.derived]


def _inputs(persons: pl.DataFrame, households: pl.DataFrame) -> dict[str, Any]:
    """The rule inputs of one household (its members and itself), as JSON rows."""
    person_columns = ["person_id", "household_id"] + [
        c for c in _stored_fields(PERSON_FIELDS) if c in persons.columns
    ]
    household_columns = ["household_id"] + [
        c for c in _stored_fields(HOUSEHOLD_FIELDS) if c in households.columns
    ]
    return {
        "persons": _rows(persons.select(person_columns).sort("person_id")),
        "households": _rows(households.select(household_columns)),
    }


def frames_of(inputs: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The input frames kept in a receipt, typed as the rules read them."""
    kinds = {"bool": pl.Boolean, "int": pl.Int64, "str": pl.String, "date": pl.String}

    def frame(rows: list[dict[str, Any]], fields: dict[str, Any], keys: list[str]) -> pl.DataFrame:
        names = list(rows[0]) if rows else keys
        schema = {name: kinds[fields[name].kind] if name in fields else pl.String for name in names}
        built = pl.DataFrame(rows, schema=schema, orient="row")
        dates = [name for name in names if name in fields and fields[name].kind == "date"]
        return built.with_columns(pl.col(dates).str.to_date("%Y-%m-%d"))

    return (
        frame(inputs["persons"], PERSON_FIELDS, ["person_id", "household_id"]),
        frame(inputs["households"], HOUSEHOLD_FIELDS, ["household_id"]),
    )


def _step(step: Any) -> dict[str, Any]:
    shown: dict[str, Any] = _jsonable(
        {
            "output": step.output,
            "entity": step.entity,
            "id": step.unit_id,
            "value": step.value,
            "formula": " ".join(step.formula.split()),
            "in_force": step.in_force,
            "inputs": step.inputs,
            "parameters": [vars(p) for p in step.parameters],
        }
    )
    return shown


def enrolment_detail(
    pack: Pack,
    scheme: Scheme,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    unit_id: str,
    at: dt.date,
    *,
    checked: bool,
) -> dict[str, Any]:
    """The detail of an enrolment decision for ``unit_id`` at ``at``: the eligibility
    output's value, its steps (and those of the outputs it reads) and the household's
    inputs. ``checked``: whether the rules had to find the unit eligible."""
    by_household = scheme.unit == HOUSEHOLD
    detail: dict[str, Any] = {
        "kind": ENROLMENT,
        "scheme": scheme.code,
        "scheme_name": [scheme.name, scheme.name_lo],
        "unit": scheme.unit,
        "unit_id": unit_id,
        "date": at.isoformat(),
        "checked": checked,
        "eligibility": None,
        "steps": [],
        "inputs": _inputs(persons, households),
    }
    test = scheme.eligibility
    if test is None:
        return detail
    key = _output_key(pack, test.output)
    wanted = _closure(pack, key)
    trace = explain(
        pack,
        persons,
        households,
        at,
        household_id=unit_id if by_household else None,
        person_id=None if by_household else unit_id,
    )
    steps = [
        s
        for s in trace.steps
        if (s.output, s.entity) in wanted and (s.entity == HOUSEHOLD or s.unit_id == unit_id)
    ]
    value = next((s.value for s in steps if (s.output, s.entity) == key), None)
    detail["eligibility"] = _jsonable(
        {
            "output": test.output,
            "equals": test.equals,
            "value": value,
            "eligible": value == test.equals,
        }
    )
    detail["steps"] = [_step(s) for s in steps]
    return detail


def write_enrolment_receipt(
    session: Session,
    pack: Pack,
    *,
    enrolment_id: int,
    detail: dict[str, Any],
    actor: str,
) -> int:
    """Store the receipt of an enrolment decision (in the caller's transaction)."""
    receipt = DecisionReceipt(
        kind=ENROLMENT,
        subject_id=enrolment_id,
        scheme=detail["scheme"],
        unit_id=detail["unit_id"],
        reference_date=dt.date.fromisoformat(detail["date"]),
        pack_digest=pack.digest,
        pack_name=pack.path.name,
        explanation=render_detail(detail, "en"),
        detail={**detail, "subject_id": enrolment_id},
        actor=actor,
    )
    session.add(receipt)
    session.flush()
    return receipt.id


def _parameters(pack: Pack, keys: Iterable[Key], at: dt.date) -> list[dict[str, Any]]:
    names = sorted({name for key in keys for name in pack.outputs[key].params})
    used = []
    for name in names:
        value = pack.parameters[name].value_at(at)
        if value is not None:
            used.append(
                _jsonable(
                    {
                        "name": name,
                        "value": value.value,
                        "since": value.start,
                        "reference": value.reference,
                        "status": value.status,
                    }
                )
            )
    return used


def write_payment_receipts(
    session: Session,
    pack: Pack,
    scheme: Scheme,
    *,
    cycle_id: int,
    cycle_code: str,
    output: str,
    months: list[dt.date],
    due: pl.DataFrame,
    starts: pl.DataFrame,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    actor: str,
) -> int:
    """One receipt per payment of a cycle just created, in bulk: ``due`` (``enrolment_id,
    amount, function``) with ``starts`` (``id, unit_id, start_date`` of the enrolments)
    joined to the payments' ids (one SELECT) and to the
    inputs the amount formula reads from each unit's row; text and JSON are built as
    whole columns, then written by one COPY (PostgreSQL) or one ``executemany``
    (SQLite). Returns the number of receipts."""
    if not due.height:
        return 0
    key = _output_key(pack, output)
    keys = _closure(pack, key)
    by_household = scheme.unit == HOUSEHOLD
    entity = HOUSEHOLD if by_household else PERSON
    source = households if by_household else persons
    read = sorted({name for k in keys for name, e in pack.outputs[k].fields if e == entity})
    read = [name for name in read if name in source.columns]
    ids = session.execute(
        select(BenefitPayment.id, BenefitPayment.enrolment_id).where(
            BenefitPayment.cycle_id == cycle_id
        )
    ).all()
    paid = pl.DataFrame(
        [tuple(r) for r in ids],
        schema={"subject_id": pl.Int64, "enrolment_id": pl.Int64},
        orient="row",
    )
    common = {
        "kind": PAYMENT,
        "scheme": scheme.code,
        "scheme_name": [scheme.name, scheme.name_lo],
        "unit": scheme.unit,
        "cycle": cycle_code,
        "output": output,
        "formula": " ".join(pack.outputs[key].formula.split()),
        "months": [m.isoformat() for m in months],
        "parameters": _parameters(pack, keys, months[0]),
    }
    inputs = (
        pl.struct(
            [pl.col(c).cast(pl.String) if source.schema[c] == pl.Date else pl.col(c) for c in read]
        ).struct.json_encode()
        if read
        else pl.lit("{}")
    )
    unit_id = pl.col("household_id" if by_household else "person_id")
    # the inputs of the paid units only, not of every unit of the snapshot
    unit_rows = source.filter(unit_id.is_in(starts["unit_id"].implode())).select(
        unit_id.alias("unit_id"), inputs.alias("_inputs")
    )

    def quoted(column: str) -> pl.Expr:
        return pl.concat_str(pl.lit('"'), pl.col(column), pl.lit('"'))

    rows = (
        due.join(paid, on="enrolment_id")
        .join(
            starts.select(
                pl.col("id").alias("enrolment_id"),
                "unit_id",
                pl.col("start_date").cast(pl.String).alias("_start"),
            ),
            on="enrolment_id",
        )
        .join(unit_rows, on="unit_id", how="left")
        .select(
            pl.lit(PAYMENT).alias("kind"),
            "subject_id",
            pl.lit(scheme.code).alias("scheme"),
            "unit_id",
            pl.lit(months[0]).alias("reference_date"),
            pl.lit(pack.digest).alias("pack_digest"),
            pl.lit(pack.path.name).alias("pack_name"),
            _payment_text(common),
            pl.concat_str(
                pl.lit("{" + json.dumps(common, ensure_ascii=False)[1:-1] + ', "subject_id": '),
                pl.col("subject_id").cast(pl.String),
                pl.lit(', "unit_id": '),
                quoted("unit_id"),
                pl.lit(', "enrolment_id": '),
                pl.col("enrolment_id").cast(pl.String),
                pl.lit(', "amount": '),
                pl.col("amount").cast(pl.String),
                pl.lit(', "function": '),
                quoted("function"),
                pl.lit(', "start_date": '),
                quoted("_start"),
                pl.lit(', "inputs": '),
                pl.col("_inputs").fill_null("{}"),
                pl.lit("}"),
            ).alias("detail"),
            pl.lit(actor).alias("actor"),
        )
    )
    _bulk_insert(session, rows)
    return rows.height


def _payment_line(detail: dict[str, Any], lang: Lang) -> str:
    f = Formatter(lang)
    return (
        f"{word('payment', lang)} {detail['subject_id']} · {word(detail['unit'], lang)} "
        f"{detail['unit_id']} · {word('amount', lang)}: {f.kip(detail['amount'])} "
        f"({word('function', lang)}: {detail['function']})\n"
    )


def _payment_text(common: dict[str, Any]) -> pl.Expr:
    """The English text of each payment receipt as a whole column: what
    ``render_detail(detail, "en")`` gives."""
    return pl.concat_str(
        pl.lit(_payment_head(common, "en") + word("payment", "en") + " "),
        pl.col("subject_id").cast(pl.String),
        pl.lit(f" · {word(common['unit'], 'en')} "),
        pl.col("unit_id"),
        pl.lit(f" · {word('amount', 'en')}: "),
        _grouped(pl.col("amount")),
        pl.lit(f" LAK ({word('function', 'en')}: "),
        pl.col("function"),
        pl.lit(f")\n  {word('inputs', 'en')}: "),
        pl.col("_inputs").fill_null("{}"),
        pl.lit("\n"),
    ).alias("explanation")


def _grouped(amount: pl.Expr) -> pl.Expr:
    """Whole kip with a comma between thousands (``Formatter("en").number``), as a
    string column."""
    text = amount.cast(pl.Int64).abs().cast(pl.String)
    width = text.str.len_chars()
    parts = [
        pl.when(width > 3 * i).then(
            text.str.slice(
                pl.max_horizontal(width - 3 * (i + 1), 0),
                pl.min_horizontal(pl.lit(3), width - 3 * i),
            )
        )
        for i in reversed(range(7))
    ]
    joined = pl.concat_str(parts, separator=",", ignore_nulls=True)
    return pl.when(amount < 0).then(pl.lit("-") + joined).otherwise(joined)


def _bulk_insert(session: Session, rows: pl.DataFrame) -> None:
    if session.get_bind().dialect.name == "postgresql":
        raw: Any = session.connection().connection.driver_connection
        cursor = raw.cursor()
        copy_sql = f"COPY decision_receipts ({', '.join(rows.columns)}) FROM STDIN (FORMAT csv)"
        with cursor.copy(copy_sql) as copy:
            for start in range(0, rows.height, 50_000):
                copy.write(rows.slice(start, 50_000).write_csv(include_header=False))
        cursor.close()
        return
    statement = insert(RECEIPTS).values(
        {
            **{name: bindparam(name) for name in rows.columns if name != "detail"},
            "detail": bindparam("detail", type_=String),  # already JSON text
        }
    )
    records = rows.to_dicts()
    for start in range(0, len(records), CHUNK):
        session.execute(statement, records[start : start + CHUNK])


# --- reading and printing ---------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    id: int
    kind: str
    subject_id: int
    scheme: str
    unit_id: str
    decided_at: dt.datetime
    reference_date: dt.date
    pack_digest: str
    pack_name: str
    explanation: str
    detail: dict[str, Any]
    actor: str


def get_receipt(session: Session, receipt_id: int) -> Receipt | None:
    row = session.get(DecisionReceipt, receipt_id)
    if row is None:
        return None
    detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail)
    return Receipt(
        row.id,
        row.kind,
        row.subject_id,
        row.scheme,
        row.unit_id,
        row.decided_at,
        row.reference_date,
        row.pack_digest,
        row.pack_name,
        row.explanation,
        detail,
        row.actor,
    )


def receipts_of(session: Session, kind: str, subject_id: int) -> list[int]:
    """The ids of the receipts of one enrolment or payment, oldest first."""
    return list(
        session.scalars(
            select(DecisionReceipt.id)
            .where(DecisionReceipt.kind == kind, DecisionReceipt.subject_id == subject_id)
            .order_by(DecisionReceipt.id)
        )
    )


def _show(value: Any, f: Formatter) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f.number(value)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return f.date(value)
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _scheme_line(detail: dict[str, Any], lang: Lang) -> str:
    english, lao = detail["scheme_name"]
    name = Formatter(lang).pair(english, lao)
    return f"{word('scheme', lang)}: {name} ({detail['scheme']})"


def _parameter_lines(parameters: list[dict[str, Any]], f: Formatter, lang: Lang) -> list[str]:
    return [
        f"    ${p['name']} = {_show(p['value'], f)} ({word('since', lang)} "
        f"{f.date(p['since'])}; {p['status']}; {p['reference']})"
        for p in parameters
    ]


def _payment_head(detail: dict[str, Any], lang: Lang) -> str:
    f = Formatter(lang)
    months = ", ".join(f.date(m)[3:] for m in detail["months"])
    lines = [
        _scheme_line(detail, lang),
        f"{word('cycle', lang)}: {detail['cycle']} · {word('months', lang)}: {months}",
        f"  {detail['output']}: {word('formula', lang)}: {detail['formula']}",
        *_parameter_lines(detail["parameters"], f, lang),
    ]
    return "\n".join(lines) + "\n"


def render_detail(detail: dict[str, Any], lang: Lang) -> str:
    """The explanation of a receipt's ``detail`` in ``lang``."""
    if detail["kind"] == PAYMENT:
        inputs = json.dumps(detail.get("inputs") or {}, ensure_ascii=False, separators=(",", ":"))
        return (
            _payment_head(detail, lang)
            + _payment_line(detail, lang)
            + f"  {word('inputs', lang)}: {inputs}\n"
        )
    f = Formatter(lang)
    lines = [
        _scheme_line(detail, lang),
        f"{word(detail['unit'], lang)}: {detail['unit_id']} · "
        f"{word('reference_date', lang)}: {f.date(detail['date'])}",
    ]
    test = detail["eligibility"]
    if test is None:
        lines.append(word("no_rule", lang))
    else:
        verdict = word("eligible" if test["eligible"] else "not_eligible", lang)
        lines.append(
            f"{verdict}: {test['output']} = {_show(test['value'], f)} "
            f"({word('needs', lang)} {_show(test['equals'], f)})"
        )
    if not detail["checked"]:
        lines.append(word("not_checked", lang))
    for step in detail["steps"]:
        lines.append(
            f"  {step['output']} [{word(step['entity'], lang)} {step['id']}] = "
            f"{_show(step['value'], f)}"
        )
        if not step["in_force"]:
            lines.append(f"    {word('not_in_force', lang)}")
            continue
        lines.append(f"    {word('formula', lang)}: {step['formula']}")
        lines.extend(f"    {name} = {_show(v, f)}" for name, v in step["inputs"].items())
        lines.extend(_parameter_lines(step["parameters"], f, lang))
    return "\n".join(lines) + "\n"


def render(receipt: Receipt, lang: Lang) -> str:
    """The printable receipt: its number, when and by whom, the pack, the explanation."""
    f = Formatter(lang)
    decided = receipt.decided_at
    return (
        f"{word('title', lang)} {receipt.id} · {word(receipt.kind, lang)} {receipt.subject_id}\n"
        f"{word('decided', lang)} {f.date(decided.date())} {word('by', lang)} {receipt.actor}\n"
        f"{word('pack', lang)}: {receipt.pack_name} ({receipt.pack_digest[:12]})\n"
        + render_detail(receipt.detail, lang)
    )


# --- re-evaluation ----------------------------------------------------------------------


def reevaluate_enrolment(pack: Pack, receipt: Receipt) -> dict[str, Any]:
    """The detail the rules of ``pack`` give today from the inputs the receipt kept."""
    detail = receipt.detail
    persons, households = frames_of(detail["inputs"])
    scheme = pack.schemes[detail["scheme"]]
    return enrolment_detail(
        pack,
        scheme,
        persons,
        households,
        detail["unit_id"],
        dt.date.fromisoformat(detail["date"]),
        checked=detail["checked"],
    )


def same_decision(stored: dict[str, Any], again: dict[str, Any]) -> bool:
    """Whether a re-evaluation gives the receipt's outputs, values and parameters."""
    keys = ("eligibility", "steps") if stored["kind"] == ENROLMENT else ("amount",)
    return all(_jsonable(stored.get(k)) == _jsonable(again.get(k)) for k in keys)


def reevaluate_payment(
    pack: Pack, receipt: Receipt, persons: pl.DataFrame, households: pl.DataFrame
) -> dict[str, Any]:
    """The amount the rules of ``pack`` give for the receipt's unit and months on the
    given frames (the registry as it was when the cycle was created)."""
    detail = receipt.detail
    by_household = detail["unit"] == HOUSEHOLD
    key = "household_id" if by_household else "person_id"
    total = 0
    start = dt.date.fromisoformat(detail["start_date"]).replace(day=1)
    for month in detail["months"]:
        if dt.date.fromisoformat(month) < start:
            continue  # the enrolment had not started: nothing due (``amounts_due``)
        result = evaluate(
            pack, persons, households, dt.date.fromisoformat(month), [detail["output"]]
        )
        frame = result.households if by_household else result.persons
        found = frame.filter(pl.col(key) == detail["unit_id"])
        if found.height:
            total += int(found[detail["output"]][0] or 0)
    return {**detail, "amount": total}
