"""The data dictionary (``laosp.reference.dictionary``) and what is derived from it agree:
the migrations build exactly the models' schema, every dictionary field is a column of a
compatible type whose code list the database checks, the rules engine's fields are the
dictionary's, and the API schemas and the importers accept exactly the dictionary's
codes, naming the field by its labels when they refuse one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BigInteger, Boolean, Date, Engine, Integer, String, inspect, text
from sqlalchemy.exc import IntegrityError

from laosp import migrate
from laosp.db import make_engine
from laosp.models import metadata
from laosp.reference import dictionary as dd
from laosp.registry import import_fields
from laosp.registry.import_columns import ROW, parse_table
from laosp.registry.schemas import HouseholdFields, PersonFields
from laosp.registry.validation import parse
from laosp.rules.fields import HOUSEHOLD_FIELDS, PERSON_FIELDS

#: Made by migration 0005 and deliberately not declared on the models (the search
#: indexes: an FTS5 table with its shadow tables on SQLite, trigram GIN on PostgreSQL).
MIGRATION_ONLY = {
    "persons_search",
    "persons_search_config",
    "persons_search_data",
    "persons_search_docsize",
    "persons_search_idx",
    "ix_persons_name_key_trgm",
    "ix_persons_name_fold_trgm",
    "ix_persons_name_latin_trgm",
}
#: Columns of the registry tables that are no field of the dictionary: search keys kept
#: beside the names, additional data, the time of the last change.
NOT_FIELDS = {
    "households": {"extra", "updated_at"},
    "persons": {"name_key", "name_fold", "name_latin", "extra", "updated_at"},
}
TABLE = {dd.HOUSEHOLD: "households", dd.PERSON: "persons"}


@pytest.fixture
def fresh(backend: str, request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """An empty database, upgraded here by the migrations (not copied from a template)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        server = request.getfixturevalue("_postgres")
        url = server.url(server.create())
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    return name not in MIGRATION_ONLY


def test_the_migrations_build_exactly_the_models(fresh: Engine) -> None:
    with fresh.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _include}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def _compatible(field: dd.Field, column: Any) -> bool:
    kind = column.type
    if field.type == "bool":
        return isinstance(kind, Boolean)
    if field.type == "date":
        return isinstance(kind, Date)
    if field.type == "money":
        return isinstance(kind, BigInteger)
    if field.type == "int":
        return isinstance(kind, Integer) and not isinstance(kind, BigInteger)
    length = field.max_length
    return isinstance(kind, String) and length is not None and (kind.length or 0) >= length


@pytest.mark.parametrize("entity", [dd.HOUSEHOLD, dd.PERSON])
def test_every_stored_field_is_a_column_of_a_compatible_type(entity: dd.Entity) -> None:
    table = metadata.tables[TABLE[entity]]
    stored = [f for f in dd.fields(entity) if f.stored]
    assert {f.name for f in stored} == set(table.columns.keys()) - NOT_FIELDS[table.name]
    for f in stored:
        column = table.columns[f.name]
        assert _compatible(f, column), (f.name, column.type)
        # required: NOT NULL; a default: NOT NULL with that default; else NULL = not given
        assert column.nullable == (not f.required and f.default is None), f.name
        if f.default is not None:
            assert column.default is not None, f.name
            assert getattr(column.default, "arg", None) == f.default, f.name


def test_derived_fields_are_not_stored() -> None:
    derived = {(f.entity, f.name) for f in dd.FIELDS.values() if f.derived}
    assert derived == {("household", "province_code"), ("person", "age"), ("person", "age_months")}
    assert "province_code" not in metadata.tables["households"].columns


def test_every_coded_field_is_checked_by_the_migrated_database(fresh: Engine) -> None:
    checks = {c["name"]: c["sqltext"] for c in inspect(fresh).get_check_constraints("persons")}
    coded = [f for f in dd.PERSON_FIELDS if f.codes]
    assert len(coded) == 9
    for f in coded:
        sql = checks[f"ck_persons_{f.name}_code"]
        assert set(re.findall(r"'([^']*)'", sql)) == set(f.codes), (f.name, sql)


def test_the_database_refuses_a_sex_outside_the_code_list(fresh: Engine) -> None:
    with fresh.begin() as connection:
        connection.execute(
            text("INSERT INTO households (household_id, district_code) VALUES ('H', '0101')")
        )
    insert = text(
        "INSERT INTO persons (person_id, household_id, relationship, given_name, family_name,"
        " name_key, sex, birth_date) VALUES ('P', 'H', 'head', 'A', 'B', 'a b', :sex,"
        " '1980-01-01')"
    )
    with pytest.raises(IntegrityError), fresh.begin() as connection:
        connection.execute(insert, {"sex": "X"})
    with fresh.begin() as connection:
        connection.execute(insert, {"sex": "M"})


def test_the_rules_fields_are_the_dictionarys() -> None:
    for catalogue, entity in ((PERSON_FIELDS, dd.PERSON), (HOUSEHOLD_FIELDS, dd.HOUSEHOLD)):
        readable = {f.name for f in dd.fields(entity) if f.rules}
        assert set(catalogue) == readable
    # worked out from registry.md by hand
    assert PERSON_FIELDS["sex"].required
    assert PERSON_FIELDS["sex"].default is None
    assert PERSON_FIELDS["sex"].codes == ("F", "M")
    assert PERSON_FIELDS["birth_date"].required
    assert PERSON_FIELDS["relationship"].required
    assert HOUSEHOLD_FIELDS["district_code"].required
    assert PERSON_FIELDS["disability"].default == "none"
    assert PERSON_FIELDS["employment_status"].default == "inactive"
    assert PERSON_FIELDS["cct_compliant"].default is True
    # left empty by the registry where it does not apply: "" to the rules
    assert PERSON_FIELDS["employment_type"].default == ""
    assert PERSON_FIELDS["employment_type"].codes == (
        "",
        "employee",
        "employer",
        "own_account",
        "contributing_family",
    )
    assert PERSON_FIELDS["pregnancy_month"].default == 0  # not pregnant
    assert PERSON_FIELDS["earnings_monthly"].kind == "int"
    assert HOUSEHOLD_FIELDS["poor"].default is False
    assert not any(f.required for f in PERSON_FIELDS.values() if f.default is not None)


def test_every_field_has_both_labels_and_a_reason_for_its_default() -> None:
    for f in dd.FIELDS.values():
        assert f.label_en, f.name
        assert f.label_lo, f.name
        assert f.why, f.name
        assert re.search("[\u0e80-\u0eff]", f.label_lo), f.name  # Lao script
        if f.codes:
            assert set(dd.CODE_LABELS[f.name]) == set(f.codes), f.name
        if f.required:
            assert f.default is None, f.name


ADULT: dict[str, Any] = {
    "relationship": "head",
    "given_name": "Bounmy",
    "family_name": "Sengsouk",
    "sex": "M",
    "birth_date": "1980-02-03",
}


@pytest.mark.parametrize("field", [f for f in dd.PERSON_FIELDS if f.codes], ids=lambda f: f.name)
def test_the_api_schema_accepts_exactly_the_dictionarys_codes(field: dd.Field) -> None:
    for code in field.codes:
        person, errors = parse(PersonFields, {**ADULT, field.name: code})
        assert errors == []
        assert person is not None
        assert getattr(person, field.name) == code
    for wrong in ("X", field.codes[0].upper() + "_", ""):
        if wrong in field.codes:
            continue
        _, errors = parse(PersonFields, {**ADULT, field.name: wrong})
        assert [(e.field, e.reason) for e in errors] == [(field.name, dd.codes_reason(field))]
        assert field.label_en in errors[0].reason
        assert field.label_lo in errors[0].reason


def test_a_sex_outside_the_list_names_the_field_by_its_labels() -> None:
    _, errors = parse(PersonFields, {**ADULT, "sex": "X"})
    assert [(e.field, e.value, e.reason) for e in errors] == [
        ("sex", "X", "must be one of F, M (Sex / ເພດ)")
    ]


def test_the_api_schemas_take_their_defaults_from_the_dictionary() -> None:
    person, _ = parse(PersonFields, ADULT)
    assert person is not None
    assert (person.birth_date_precision, person.nationality, person.disability) == (
        "day",
        "LA",
        "none",
    )
    assert (person.employment_status, person.cct_compliant, person.facility_level) == (
        "inactive",
        True,
        "district",
    )
    assert person.employment_type is None
    assert person.pregnancy_month is None
    household, _ = parse(HouseholdFields, {"district_code": "0101"})
    assert household is not None
    assert (household.urban, household.poor) == (False, False)
    schema = PersonFields.model_json_schema()["properties"]
    assert schema["sex"]["enum"] == ["F", "M"]


def test_the_import_columns_are_the_stored_fields_in_the_dictionarys_order() -> None:
    names = [c.name for c in import_fields.PERSON_COLUMNS]
    assert names == [f.name for f in dd.PERSON_FIELDS if f.stored]
    assert names[:7] == [
        "person_id",
        "household_id",
        "relationship",
        "given_name",
        "family_name",
        "sex",
        "birth_date",
    ]
    assert [c.name for c in import_fields.HOUSEHOLD_COLUMNS] == [
        "household_id",
        "district_code",
        "village_code",
        "village_name",
        "urban",
        "poor",
        "registered_on",
    ]
    required = {c.name for c in import_fields.PERSON_COLUMNS if c.required}
    assert required == {
        "person_id",
        "household_id",
        "relationship",
        "given_name",
        "family_name",
        "sex",
        "birth_date",
    }


def test_an_imported_sex_outside_the_list_or_empty_is_refused_never_defaulted() -> None:
    raw = pl.DataFrame(
        {
            ROW: [2, 3, 4],
            "person_id": ["A", "B", "C"],
            "household_id": ["H", "H", "H"],
            "relationship": ["head", "child", "child"],
            "given_name": ["a", "b", "c"],
            "family_name": ["x", "x", "x"],
            "sex": ["F", "X", ""],
            "birth_date": ["1980-01-01", "2010-01-01", "2012-01-01"],
        }
    )
    typed, problems = parse_table(
        raw, "persons", "person_id", import_fields.PERSON_COLUMNS, dt.date(2026, 1, 1)
    )
    assert typed["sex"].to_list() == ["F", "X", None]
    found = problems.filter(pl.col("field") == "sex").select("row", "reason").rows()
    assert found == [(3, "must be one of F, M (Sex / ເພດ)"), (4, "required")]
