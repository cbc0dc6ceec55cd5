"""The policy pack is the only source of scheme facts, and the pack in use is found one
way (``laosp.rules.configured``): a fact changed in a copy of the pack shows in every
part that uses it, and a copy named by ``LAOSP_PACK_DIR`` is the one every command and
the API use.

The copy changes, from the bundled Lao pack:

- ``mecg.child_age_months_under`` 12 → 18: a child of 15 months now qualifies for MECG;
- ``mecg.benefit_monthly`` 150,000 → 200,000 kip, ``mecg.payment_every_months`` 2 → 3;
- the CCT's ``payment_every_months`` (schemes.yaml) 1 → 3;
- MECG's Lao name and NHI's English name (schemes.yaml);
- ``nssf.retirement_age`` for men 60 → 58.

The registry: one household in Nong (1306), a MECG pilot district, with a woman of 30,
a child of 15 months (C1), a child of 6 months (C2) and a man of 59 (O1); no one is
enrolled in anything. Every expected value below follows from these by hand.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from typer.testing import CliRunner

from laosp.access import sessions
from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.cli import build_app
from laosp.config import Settings
from laosp.db import make_engine, unit_of_work
from laosp.enrolment.eligibility import check
from laosp.indicators.engine import compute_indicators
from laosp.indicators.gaps import evaluate_eligibility, gap_list
from laosp.models import AuditEvent, Enrolment, Household, PaymentCycle, Person
from laosp.reports.coverage import coverage_brief
from laosp.reports.coverage_xlsx import coverage_xlsx
from laosp.reports.labels import words
from laosp.rules.pack import BUNDLED, Pack, load_pack
from laosp.server import create_app
from laosp.synth.build import build_population
from laosp.synth.population import Config
from tests.indicators.registry_builder import RegistryBuilder
from tests.reports.helpers import sheets

AT = dt.date(2025, 6, 30)
OLD_MECG_LO = "ເງິນອຸດໜູນແມ່ ແລະ ເດັກອ່ອນ"
NEW_MECG_LO = "ເງິນອຸດໜູນແມ່ ແລະ ເດັກນ້ອຍ (ທົດລອງ)"
NEW_NHI_EN = "Health Insurance for All"
SECRET = "a-test-secret-key-of-some-length"
PASSWORD = "correct horse battery"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def changed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pack") / "lao"
    shutil.copytree(BUNDLED, root)
    mecg = root / "parameters" / "mecg.yaml"
    _replace(mecg, "value: 150000,", "value: 200000,")
    _replace(mecg, "- {date: 2021-06-18, value: 12,", "- {date: 2021-06-18, value: 18,")
    _replace(mecg, "- {date: 2021-06-18, value: 2,", "- {date: 2021-06-18, value: 3,")
    _replace(root / "parameters" / "nssf.yaml", "{M: 60, F: 55}", "{M: 58, F: 55}")
    schemes = root / "schemes.yaml"
    _replace(schemes, f"name_lo: {OLD_MECG_LO}", f"name_lo: {NEW_MECG_LO}")
    _replace(schemes, "name: National Health Insurance", f"name: {NEW_NHI_EN}")
    # the first scheme with a payment interval written as a number is the CCT
    _replace(schemes, "payment_every_months: 1\n", "payment_every_months: 3\n")
    return root


@pytest.fixture(scope="module")
def changed(changed_dir: Path) -> Pack:
    return load_pack(changed_dir)


@pytest.fixture(scope="module")
def bundled() -> Pack:
    return load_pack()


def registry() -> RegistryBuilder:
    r = RegistryBuilder()
    r.household("H1", "1306", poor=True)
    r.person("M1", "H1", "F", dt.date(1995, 3, 1))
    r.person("C1", "H1", "M", dt.date(2024, 3, 15), mother_id="M1")  # 15 months at AT
    r.person("C2", "H1", "F", dt.date(2024, 12, 1), mother_id="M1")  # 6 months at AT
    r.person("O1", "H1", "M", dt.date(1966, 1, 10))  # 59 years at AT
    return r


def test_the_copy_changes_what_the_tests_say(changed: Pack, bundled: Pack) -> None:
    mecg, cct = changed.schemes["mecg"], changed.schemes["cct"]
    assert changed.params_at(AT)["mecg.child_age_months_under"] == 18
    assert changed.payment_every_months(mecg, AT) == 3
    assert changed.payment_every_months(cct, AT) == 3
    assert bundled.payment_every_months(bundled.schemes["mecg"], AT) == 2
    assert changed.digest != bundled.digest


# --- a. a value changed in the pack is seen everywhere ------------------------------


def test_enrolment_eligibility_follows_the_pack(changed: Pack, bundled: Pack) -> None:
    frames = registry().frames()
    before = check(bundled, bundled.schemes["mecg"], frames.persons, frames.households, "C1", AT)
    after = check(changed, changed.schemes["mecg"], frames.persons, frames.households, "C1", AT)
    assert (before.eligible, before.output) == (False, "mecg.eligible")
    assert "$mecg.child_age_months_under = 12" in before.explanation
    assert (after.eligible, after.output) == (True, "mecg.eligible")


def test_the_gap_list_follows_the_pack(changed: Pack, bundled: Pack) -> None:
    frames = registry().frames()

    def listed(pack: Pack) -> pl.DataFrame:
        eligibility = evaluate_eligibility(pack, frames, AT)
        return gap_list(frames, AT, eligibility, pack=pack, include_uncovered=False)

    before, after = listed(bundled), listed(changed)
    assert set(before.filter(pl.col("scheme") == "mecg")["person_id"]) == {"C2"}
    assert set(after.filter(pl.col("scheme") == "mecg")["person_id"]) == {"C1", "C2"}
    # the gap lists are the schemes in operation with an eligibility output: no proposed one
    assert set(after["scheme"]) <= {"nhi", "nssf_private", "nssf_public", "nssf_voluntary"} | {
        "mecg",
        "cct",
    }
    nhi = after.filter(pl.col("scheme") == "nhi")
    assert nhi.height == 4  # every member is a Lao national without health cover
    assert set(nhi["reason_en"]) == {f"eligible for {NEW_NHI_EN}, not enrolled, in Nong (1306)"}


def test_indicators_follow_the_pack(changed: Pack, bundled: Pack) -> None:
    frames = registry().frames()

    def older(pack: Pack) -> tuple[int, int]:
        row = compute_indicators(frames, AT, pack=pack).filter(
            pl.col("indicator") == "sdg131.older"
        )
        return row["numerator"][0], row["denominator"][0]

    assert older(bundled) == (0, 0)  # O1 is 59, under 60
    assert older(changed) == (0, 1)  # over 58: above retirement age, no pension


def test_a_report_names_the_scheme_as_the_pack_does(changed: Pack, bundled: Pack) -> None:
    frames = registry().frames()
    brief = coverage_brief(frames, AT, pack=changed)
    assert brief.scheme_name("mecg", "lo") == NEW_MECG_LO
    assert brief.scheme_name("nhi", "en") == NEW_NHI_EN
    cells = {
        str(value)
        for sheet in sheets(coverage_xlsx(brief, words("lo"))).values()
        for column in sheet.columns
        for value in sheet[column].to_list()
    }
    assert NEW_MECG_LO in cells
    assert OLD_MECG_LO not in cells
    old = coverage_brief(frames, AT, pack=bundled)
    assert old.scheme_name("mecg", "lo") == OLD_MECG_LO


def test_the_synthetic_registry_follows_the_pack(changed: Pack, bundled: Pack) -> None:
    config = Config(scale=0.002, seed=1, at=AT)

    def cycles_and_amounts(pack: Pack) -> tuple[pl.DataFrame, set[int]]:
        tables = build_population(config, pack).tables
        cycles = tables["payment_cycles"]
        amounts = tables["benefit_payments"].join(
            cycles.filter(pl.col("scheme") == "mecg").select(cycle_id="id"), on="cycle_id"
        )["amount"]
        return cycles, set(amounts.to_list())

    cycles, amounts = cycles_and_amounts(changed)
    for scheme in ("mecg", "cct"):
        of = cycles.filter(pl.col("scheme") == scheme)
        assert of.height == 4, scheme  # the 12 months from June 2024, in cycles of three
        assert of["period_start"].dt.month().to_list() == [7, 10, 1, 4]
        assert all(code.endswith("+3") for code in of["code"])
        spans = of.select(
            (pl.col("period_end").dt.month() - pl.col("period_start").dt.month()) % 12
        ).to_series()
        assert set(spans.to_list()) == {2}
    assert amounts
    assert amounts <= {200_000, 400_000, 600_000}
    assert 600_000 in amounts  # a whole cycle of three months

    old_cycles, old_amounts = cycles_and_amounts(bundled)
    assert old_cycles.filter(pl.col("scheme") == "cct").height == 12  # monthly
    assert set(old_cycles.filter(pl.col("scheme") == "mecg")["code"].str.slice(-2)) == {"+2"}
    assert old_amounts
    assert old_amounts <= {150_000, 300_000}


# --- b. a pack folder given by setting is honoured everywhere -----------------------


@pytest.fixture
def registry_url(db_url: str) -> str:
    engine = make_engine(db_url)
    built = registry()
    with engine.begin() as connection:
        connection.execute(insert(Household.__table__), built.households)
        connection.execute(
            insert(Person.__table__),
            [{**row, "name_fold": row["name_key"]} for row in built.persons],
        )
    with unit_of_work(engine) as session:
        create_user(session, "admin", PASSWORD, Role.admin)
    engine.dispose()
    return db_url


@pytest.fixture
def env(changed_dir: Path, registry_url: str) -> dict[str, str]:
    """The settings of a changed pack, signed in as a central officer."""
    engine = make_engine(registry_url)
    with unit_of_work(engine) as session:
        create_user(session, "officer", PASSWORD, Role.central_officer)
        create_user(session, "approver", PASSWORD, Role.central_officer)
        token = sessions.issue(session, "officer", "cli", dt.timedelta(hours=1))
        approver = sessions.issue(session, "approver", "cli", dt.timedelta(hours=1))
    engine.dispose()
    return {
        "LAOSP_PACK_DIR": str(changed_dir),
        "LAOSP_DATABASE_URL": registry_url,
        "LAOSP_TOKEN": token,
        "APPROVER_TOKEN": approver,  # a second officer: makes enrolments active
    }


def approved(env: dict[str, str], enrolment_id: int, on: str) -> None:
    """The second officer makes the pending enrolment active (maker–checker)."""
    as_approver = {**env, "LAOSP_TOKEN": env["APPROVER_TOKEN"]}
    laosp(as_approver, "enrolment", "set-status", str(enrolment_id), "active", "--date", on)


def laosp(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(build_app(), list(args), env={**env, "COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_rules_commands_use_the_pack_of_the_setting(
    env: dict[str, str], tmp_path: Path
) -> None:
    shown = laosp(env, "rules", "params", "--date", "2025-06-30")
    assert "mecg.child_age_months_under = 18" in shown
    assert "mecg.benefit_monthly = 200000" in shown
    explained = laosp(env, "rules", "explain", "--person", "C1", "--date", "2025-06-30")
    assert "$mecg.child_age_months_under = 18" in explained
    output = tmp_path / "out.csv"
    laosp(env, "rules", "evaluate", "--date", "2025-06-30", "--output", str(output),
          "--outputs", "mecg.eligible,mecg.benefit_monthly")  # fmt: skip
    rows = {row["person_id"]: row for row in pl.read_csv(output).to_dicts()}
    assert rows["C1"]["mecg.benefit_monthly"] == 200_000
    # an explicit --pack wins over the setting
    bundled = laosp(env, "rules", "params", "--date", "2025-06-30", "--pack", str(BUNDLED))
    assert "mecg.child_age_months_under = 12" in bundled


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_pack_that_does_not_load_is_a_clean_error(env: dict[str, str], tmp_path: Path) -> None:
    broken = {**env, "LAOSP_PACK_DIR": str(tmp_path)}
    for args in (("rules", "params"), ("indicators",), ("gaps",), ("cycle", "create",
                 "--scheme", "cct", "--period", "2025-06")):  # fmt: skip
        shown = laosp(broken, *args, code=2)
        assert "policy pack" in shown, args
        assert "schemes.yaml is missing" in shown, args
        assert "Traceback" not in shown


@pytest.mark.parametrize("backend", ["sqlite"])
def test_indicators_and_gaps_use_the_pack_of_the_setting(env: dict[str, str]) -> None:
    rows = json.loads(_stdout(env, "indicators", "--date", "2025-06-30", "--format", "json"))
    older = next(row for row in rows if row["indicator"] == "sdg131.older")
    assert (older["numerator"], older["denominator"]) == (0, 1)
    listed = json.loads(
        _stdout(env, "gaps", "--scheme", "mecg", "--date", "2025-06-30", "--format", "json")
    )
    assert {row["person_id"] for row in listed} == {"C1", "C2"}
    refused = laosp(env, "gaps", "--scheme", "child_grant", code=2)
    assert "child_grant" in refused
    assert "mecg, cct" in refused  # the pack's schemes with a gap list


def _stdout(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args), env={**env, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_operations_commands_use_the_pack_of_the_setting(
    env: dict[str, str], registry_url: str
) -> None:
    # C1 (15 months) qualifies only under the copy (children under 18 months)
    laosp(env, "enrol", "C1", "--scheme", "mecg", "--date", "2025-06-30")
    approved(env, 1, "2025-06-30")
    bundled = {**env, "LAOSP_PACK_DIR": str(BUNDLED)}
    refused = laosp(bundled, "enrol", "C2", "--scheme", "bogus", "--date", "2025-06-30", code=1)
    assert "is not a scheme of the pack" in refused
    assert "mecg" in refused
    laosp(env, "enrol", "H1", "--scheme", "cct", "--date", "2025-06-30")
    approved(env, 2, "2025-06-30")
    laosp(env, "cycle", "create", "--scheme", "cct", "--period", "2025-04")
    engine = make_engine(registry_url)
    with unit_of_work(engine) as session:
        enrolled = session.execute(
            select(Enrolment.scheme, Enrolment.person_id, Enrolment.household_id)
        ).all()
        cycle = session.scalars(select(PaymentCycle)).one()
    engine.dispose()
    assert {tuple(row) for row in enrolled} == {("mecg", "C1", None), ("cct", None, "H1")}
    # the CCT pays every three months in the copy: April to June
    assert (cycle.code, cycle.period_start, cycle.period_end) == (
        "2025-04+3",
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_synth_uses_the_pack_of_the_setting(
    env: dict[str, str], registry_url: str, changed: Pack
) -> None:
    laosp(env, "synth", "--scale", "0.0005", "--seed", "2", "--date", "2025-06-30")
    engine = make_engine(registry_url)
    with unit_of_work(engine) as session:
        run = session.scalars(
            select(AuditEvent.changes).where(AuditEvent.action == "synthesise")
        ).one()
        codes = set(
            session.scalars(select(PaymentCycle.code).where(PaymentCycle.scheme == "cct")).all()
        )
    engine.dispose()
    assert run["pack"] == changed.digest
    assert codes
    assert all(code.endswith("+3") for code in codes)


@pytest.fixture
def client(
    registry_url: str, changed_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("LAOSP_PACK_DIR", str(changed_dir))
    app = create_app(Settings(database_url=registry_url, secret_key=SECRET))
    with TestClient(app) as test_client:
        yield test_client
    app.state.laosp.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_api_uses_the_pack_of_the_setting(client: TestClient, changed: Pack) -> None:
    assert client.app.state.laosp.pack.digest == changed.digest  # type: ignore[attr-defined]
    token = client.post("/api/auth/token", data={"username": "admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    counts = client.get("/api/gaps", params={"date": "2025-06-30"}, headers=headers)
    assert counts.status_code == 200, counts.text
    mecg = [row for row in counts.json()["rows"] if row["scheme"] == "mecg"]
    assert sum(row["count"] for row in mecg) == 2  # C1 and C2
    assert {row["scheme_name_lo"] for row in mecg} == {NEW_MECG_LO}  # the name, not the code
    nhi = [row for row in counts.json()["rows"] if row["scheme"] == "nhi"]
    assert {row["scheme_name_en"] for row in nhi} == {NEW_NHI_EN}
    brief = client.get(
        "/reports/coverage.xlsx", params={"date": "2025-06-30", "lang": "lo"}, headers=headers
    )
    assert brief.status_code == 200, brief.text
    cells = {
        str(value)
        for sheet in sheets(brief.content).values()
        for column in sheet.columns
        for value in sheet[column].to_list()
    }
    assert NEW_MECG_LO in cells


# --- c. the rule holds: no module below the edge loads a pack ------------------------

SOURCE = Path(__file__).resolve().parents[1] / "src" / "laosp"


def _is_edge(path: Path) -> bool:
    """The rules package (where the pack is loaded and found) and the edges: the CLI
    modules, the HTTP server and the demo."""
    relative = path.relative_to(SOURCE)
    return (
        relative.parts[0] == "rules"
        or relative.name in ("cli.py", "server.py", "demo.py")
        or relative.name.endswith("_cli.py")
    )


def test_only_the_edges_load_a_pack() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if _is_edge(path):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("load_pack", "load_rules_pack", "load_settings"):
                    found.append(f"{path.relative_to(SOURCE)}:{node.lineno} {name}()")
    found = [item for item in found if not item.startswith("cli_common.py")]
    assert found == []


def test_no_library_function_defaults_its_pack() -> None:
    """Below the edges a pack is a required argument: no ``pack: Pack | None = None`` that
    a function would fill with a pack of its own choosing."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if _is_edge(path):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.arg) and node.annotation is not None:
                annotation = ast.unparse(node.annotation)
                if "Pack" in annotation and "None" in annotation:
                    found.append(f"{path.relative_to(SOURCE)}:{node.lineno} {node.arg}")
    assert found == []
