"""Grievances: open, review, resolve or reject; legal transitions only; audit."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.enrolment.transitions import TransitionRefused
from laosp.grievances.service import (
    GRIEVANCE,
    list_grievances,
    open_grievance,
    set_status,
)
from laosp.models import Grievance
from laosp.registry.errors import ValidationFailed
from laosp.rules.pack import load_pack
from tests.operations.conftest import AT, add_officers, audit_count, register

CONTROL_REASON = "must not contain control characters (such as NUL) or lone surrogates"

PACK = load_pack()
PATH_TO = {
    "open": [],
    "in_review": ["in_review"],
    "resolved": ["resolved"],
    "rejected": ["rejected"],
}


def _open(session: Session) -> int:
    return open_grievance(
        session, PACK, category="payment", description="not paid in March", on=AT,
        person_id="P2", scheme="mecg",
    ).id  # fmt: skip


def test_open_review_resolve(people: Session) -> None:
    grievance_id = _open(people)
    set_status(people, grievance_id, "in_review", on=AT)
    done = set_status(
        people, grievance_id, "resolved", on=AT + dt.timedelta(days=3), resolution="paid late"
    )
    assert (done.status, done.closed_on, done.resolution) == (
        "resolved",
        AT + dt.timedelta(days=3),
        "paid late",
    )
    assert audit_count(people, "grievance", str(grievance_id)) == 3
    assert [g.id for g in list_grievances(people, status="resolved")] == [grievance_id]


def test_bad_grievances_name_each_field(people: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        open_grievance(
            people, PACK, category="noise", description=" ", on=AT, person_id="nobody",
            scheme="lottery",
        )  # fmt: skip
    fields = {error.field for error in refused.value.errors}
    assert fields == {"person_id", "category", "description", "scheme"}


def test_closing_needs_a_resolution(people: Session) -> None:
    grievance_id = _open(people)
    with pytest.raises(ValidationFailed, match="resolution"):
        set_status(people, grievance_id, "rejected", on=AT)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (c, r)
        for c, r in itertools.product(GRIEVANCE.statuses, repeat=2)
        if not GRIEVANCE.allows(c, r)
    ],
)
def test_every_illegal_transition_is_refused(people: Session, current: str, requested: str) -> None:
    grievance_id = _open(people)
    for status in PATH_TO[current]:
        set_status(people, grievance_id, status, on=AT, resolution="done")
    before = audit_count(people, "grievance", str(grievance_id))
    with pytest.raises(TransitionRefused):
        set_status(people, grievance_id, requested, on=AT, resolution="done")
    assert audit_count(people, "grievance", str(grievance_id)) == before


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x01\x1b[31mb", "a\ufffd\ufffd[31mb"),  # the QA's: a terminal colour escape
        ("x\x07y", "x\ufffdy"),
        ("nul\x00", "nul\ufffd"),
        ("c1\x9b", "c1\ufffd"),
        ("half \ud800", "half ?"),
    ],
)
def test_control_characters_in_a_text_are_refused(people: Session, text: str, shown: str) -> None:
    """The registry's text rule, for the description and the resolution; nothing written."""
    with pytest.raises(ValidationFailed) as refused:
        open_grievance(people, PACK, category="payment", description=text, on=AT, person_id="P2")
    [error] = refused.value.errors
    assert (error.field, error.value) == ("description", shown)
    assert error.reason.startswith(CONTROL_REASON)
    assert people.scalar(select(func.count()).select_from(Grievance)) == 0
    grievance_id = _open(people)
    set_status(people, grievance_id, "in_review", on=AT)
    before = audit_count(people, "grievance", str(grievance_id))
    with pytest.raises(ValidationFailed) as refused:
        set_status(people, grievance_id, "resolved", on=AT, resolution=text)
    [error] = refused.value.errors
    assert (error.field, error.value) == ("resolution", shown)
    assert audit_count(people, "grievance", str(grievance_id)) == before
    assert people.scalar(select(Grievance.status)) == "in_review"


def test_tabs_and_line_breaks_are_kept(people: Session) -> None:
    text = "line one\n\tline two\r\nພາສາລາວ"
    grievance = open_grievance(
        people, PACK, category="payment", description=text, on=AT, person_id="P2"
    )
    assert grievance.description == text


@pytest.mark.parametrize("field", ["person_id", "household_id"])
def test_an_id_with_a_nul_is_refused_not_looked_up(people: Session, field: str) -> None:
    """PostgreSQL cannot compare a NUL: the id is refused before any lookup."""
    ids: dict[str, Any] = {field: "P\x002"}
    with pytest.raises(ValidationFailed) as refused:
        open_grievance(people, PACK, category="payment", description="late", on=AT, **ids)
    assert [(e.field, e.value) for e in refused.value.errors] == [(field, "P\ufffd2")]


def test_the_cli_refuses_a_terminal_escape_in_a_grievance(engine: Engine, db_url: str) -> None:
    with unit_of_work(engine) as session:
        register(session)
    app, runner = build_app(), CliRunner(env=add_officers(engine)["central"])
    opened = ["grievance", "open", "--category", "payment", "--person", "P2", "--db", db_url]
    result = runner.invoke(app, [*opened, "--description", "a\x01\x1b[31mb"])
    assert result.exit_code == 1, result.output
    assert "description: must not contain control characters" in result.output
    assert "\x1b" not in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Grievance)) == 0
    result = runner.invoke(app, [*opened, "--description", "not paid"])
    assert result.exit_code == 0, result.output
    moves = [["review", "1"], ["resolve", "1", "--resolution", "x\x07y"]]
    outcomes = [runner.invoke(app, ["grievance", *move, "--db", db_url]) for move in moves]
    assert [r.exit_code for r in outcomes] == [0, 1], [r.output for r in outcomes]
    assert "resolution: must not contain control characters" in outcomes[1].output
    with Session(engine) as session:
        assert session.scalar(select(Grievance.status)) == "in_review"
