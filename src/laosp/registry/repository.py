"""All SQL of the registry: households, persons, the audit trail and name search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from laosp.access import audit_trail
from laosp.models import AuditEvent, Household, Person
from laosp.registry.names import NameQuery, name_key, name_latin, roman_fold
from laosp.registry.schemas import HouseholdRead, PersonHit, PersonRead

HOUSEHOLD_FIELDS = tuple(name for name in HouseholdRead.model_fields if name != "province_code")
PERSON_FIELDS = tuple(PersonRead.model_fields)
HOUSEHOLDS: Table = Household.__table__  # type: ignore[assignment]


def get_household(session: Session, household_id: str) -> Household | None:
    return session.get(Household, household_id)


def lock_household(session: Session, household_id: str) -> Household | None:
    """The household read for a change, its row locked until the transaction ends, so
    that concurrent changes of it run one after the other, each on the one before.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite has no row locks and reads outside a
    write transaction: a write that changes nothing first takes the database's write
    lock, so the read sees the last commit and other writers wait for this one."""
    if session.get_bind().dialect.name == "sqlite":
        households = HOUSEHOLDS
        session.execute(
            update(households)
            .where(households.c.household_id == household_id)
            .values(household_id=households.c.household_id, updated_at=households.c.updated_at)
        )
    return session.get(Household, household_id, with_for_update=True, populate_existing=True)


def insert_household_if_new(session: Session, values: dict[str, Any]) -> bool:
    """Insert a household unless its id is registered (by a concurrent transaction too:
    PostgreSQL waits for it to end); true when inserted."""
    households = HOUSEHOLDS
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(households)
        .values(values)
        .on_conflict_do_nothing(index_elements=["household_id"])
        .returning(households.c.household_id)
    )
    return session.execute(statement).first() is not None


def get_person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


def members_of(session: Session, household_id: str) -> list[Person]:
    """The members of a household, head first, then by birth date."""
    head_first = (Person.relationship != "head").label("not_head")
    rows = session.scalars(
        select(Person)
        .where(Person.household_id == household_id)
        .order_by(head_first, Person.birth_date, Person.person_id)
    )
    return list(rows)


def sexes_of(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """``person_id → sex`` of those of ``person_ids`` that are registered."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(select(Person.person_id, Person.sex).where(Person.person_id.in_(ids)))
    return {str(person_id): str(sex) for person_id, sex in rows}


def households_of(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """``person_id → household_id`` of those of ``person_ids`` that are registered."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Person.person_id, Person.household_id).where(Person.person_id.in_(ids))
    )
    return {str(pid): str(household_id) for pid, household_id in rows}


def household_values(household: Household) -> dict[str, Any]:
    return {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}


def person_values(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


def to_household_read(household: Household) -> HouseholdRead:
    return HouseholdRead(**household_values(household), province_code=household.district_code[:2])


def to_person_read(person: Person) -> PersonRead:
    return PersonRead(**person_values(person))


def _with_keys(values: dict[str, Any]) -> dict[str, Any]:
    return {
        **values,
        "name_key": name_key(values["given_name"], values["family_name"]),
        "name_fold": roman_fold(f"{values['given_name']} {values['family_name']}"),
        "name_latin": name_latin(values["given_name"], values["family_name"]),
    }


def insert_persons(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert persons (already validated); keeps the name search keys in step."""
    session.add_all(Person(**_with_keys(row)) for row in rows)
    session.flush()


def update_household(session: Session, household: Household, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(household, name, value)
    session.flush()


def update_person(session: Session, person: Person, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(person, name, value)
    if {"given_name", "family_name"} & changes.keys():
        keys = _with_keys(person_values(person))
        person.name_key = keys["name_key"]
        person.name_fold = keys["name_fold"]
        person.name_latin = keys["name_latin"]
    session.flush()


def add_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
) -> None:
    audit_trail.record(
        session, actor=actor, action=action, entity=entity, entity_id=entity_id, changes=changes
    )


def audit_events(
    session: Session, entity: str | None = None, entity_id: str | None = None
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return list(session.scalars(query))


#: the FTS5 table of migration 0005 (SQLite); its trigram index serves tokens of 3+
#: characters
SQLITE_SEARCH_TABLE = "persons_search"
MIN_INDEXED = 3
#: persons in name order looked at before the index is asked (``search_persons``)
WALK_ROWS = 20_000
_LATIN = re.compile("[a-z]")


def _like(column: Any, token: str) -> ColumnElement[bool]:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition: ColumnElement[bool] = column.like(f"%{escaped}%", escape="\\")
    return condition


def _sqlite_search_table(session: Session) -> bool:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    found = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": SQLITE_SEARCH_TABLE},
    ).first()
    return found is not None


def _fts_match(alternatives: Sequence[tuple[InstrumentedAttribute[Any], Sequence[str]]]) -> str:
    """The FTS5 query that finds a superset of the rows where, for some alternative,
    every token is in the key (substring: the trigram tokenizer); ``""`` when some
    alternative has no token long enough for the index."""
    parts = []
    for column, tokens in alternatives:
        long = [token for token in tokens if len(token) >= MIN_INDEXED]
        if not long:
            return ""
        phrases = " AND ".join(
            f'{column.key} : "{token.replace(chr(34), chr(34) * 2)}"' for token in long
        )
        parts.append(f"({phrases})")
    return " OR ".join(parts)


def search_query(
    session: Session,
    name: NameQuery,
    *,
    district_code: str | None = None,
    province_code: str | None = None,
    limit: int | None = 50,
    walk: int | None = None,
    offset: int = 0,
) -> Select[tuple[object, ...]]:
    """The query of ``search_persons``: persons whose name contains every token (in
    ``name_key``; or every fold token in ``name_fold``; or every cross-script token in
    ``name_latin``), within a district or province when given, by name.

    The ``LIKE`` conditions decide; an index narrows the rows they are tested on: GIN
    trigram indexes on PostgreSQL (the planner uses them for ``LIKE '%...%'``), on SQLite
    the FTS5 trigram table ``persons_search``, asked for the rowids that contain every
    token of 3+ characters of some alternative (a query whose alternatives are all made
    of 1-2 character tokens scans, as the index cannot serve it).

    With ``walk``, the query looks only at the first ``walk`` persons in the order of
    the results (the b-tree on ``name_key``), without the search index: when it finds
    ``limit`` persons, they are the answer (see ``search_persons``). ``limit`` None:
    every match (to count them); ``offset``: skip the first matches."""
    tokens, fold_tokens, latin_tokens = name.tokens, name.fold_tokens, name.latin_tokens
    entity: Any = Person
    if walk is not None:
        first = select(Person).order_by(Person.name_key, Person.person_id).limit(walk)
        entity = aliased(Person, first.subquery("first_persons"))
    columns: tuple[Any, ...] = (
        entity.person_id,
        entity.household_id,
        entity.given_name,
        entity.family_name,
        entity.sex,
        entity.birth_date,
        entity.relationship,
        Household.district_code,
        Household.village_name,
    )
    query = select(*columns).join(Household, Household.household_id == entity.household_id)
    if list(fold_tokens) == list(tokens) and not any(_LATIN.search(t) for t in tokens):
        # Lao script (or digits) only: roman_fold leaves such text as it is, so the fold
        # alternative finds exactly the rows of the first one
        fold_tokens = ()
    alternatives = [
        (column, list(words))
        for column, words in (
            (entity.name_key, tokens),
            (entity.name_fold, fold_tokens if tokens else ()),
            (entity.name_latin, latin_tokens if tokens else ()),
        )
        if words
    ]
    if alternatives:
        query = query.where(
            or_(
                *(
                    and_(*(_like(column, token) for token in words))
                    for column, words in alternatives
                )
            )
        )
        indexed = walk is None and _sqlite_search_table(session)
        match = _fts_match(alternatives) if indexed else ""
        if match:
            rowids: Select[tuple[Any]] = (
                select(literal_column("rowid"))
                .select_from(table(SQLITE_SEARCH_TABLE))
                .where(text(f"{SQLITE_SEARCH_TABLE} MATCH :match").bindparams(match=match))
            )
            query = query.where(literal_column("persons.rowid").in_(rowids))
    if district_code is not None:
        query = query.where(Household.district_code == district_code)
    if province_code is not None:
        query = query.where(Household.district_code.like(f"{province_code}__"))
    order: Any = entity.name_key
    if alternatives and walk is None and session.get_bind().dialect.name == "postgresql":
        # not the b-tree on name_key: walking it in order and filtering (the planner's
        # choice for LIMIT) reads much of the table when the matches sort late
        order = Person.name_key.op("||")(literal(""))
    return query.order_by(order, entity.person_id).offset(offset or None).limit(limit)


def search_persons(
    session: Session,
    name: NameQuery,
    *,
    district_code: str | None = None,
    province_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PersonHit]:
    """Persons found by name, district and province (``search_query``), by name, the
    ``limit`` after the first ``offset``.

    A query that matches many persons (a part of a common name) would make the index
    return them all, to be sorted for the first ``offset + limit``: so the first
    ``WALK_ROWS`` persons in name order are tried first, and when ``offset + limit`` of
    them match, those are the answer (every other match sorts after them); otherwise
    the index answers."""

    def run(walk: int | None) -> list[Any]:
        query = search_query(
            session,
            name,
            district_code=district_code,
            province_code=province_code,
            limit=offset + limit if walk is not None else limit,
            walk=walk,
            offset=0 if walk is not None else offset,
        )
        return list(session.execute(query))

    rows = run(WALK_ROWS) if name.tokens else []
    rows = rows[offset:] if len(rows) >= offset + limit else run(None)
    return [PersonHit(**row._asdict(), province_code=row.district_code[:2]) for row in rows]


def count_persons(
    session: Session,
    name: NameQuery,
    *,
    district_code: str | None = None,
    province_code: str | None = None,
) -> int:
    """How many persons ``search_persons`` finds in all (every page)."""
    query = search_query(
        session, name, district_code=district_code, province_code=province_code, limit=None
    ).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


# --- villages (the drill-down of the dashboard) ------------------------------------------


def village_counts(session: Session, district_code: str) -> list[dict[str, Any]]:
    """Per village of ``district_code`` (``village_code`` None: not recorded): its name
    (the first one written), households and persons registered; reads the district's
    rows only (the index on ``households.district_code``, then ``persons.household_id``)."""
    rows = session.execute(
        select(
            Household.village_code,
            func.min(Household.village_name).label("village_name"),
            func.count(func.distinct(Household.household_id)).label("households"),
            func.count(Person.person_id).label("persons"),
        )
        .outerjoin(Person, Person.household_id == Household.household_id)
        .where(Household.district_code == district_code)
        .group_by(Household.village_code)
        .order_by(Household.village_code.is_(None), Household.village_code)
    )
    return [row._asdict() for row in rows]


def village_households(
    session: Session, village_code: str, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The households of ``village_code`` by id (``limit`` after ``offset``), each with
    its head's names and its number of members; and how many there are in all (the
    district's rows only: a village code begins with its district's, ``PPDDVVV``)."""
    total = (
        session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.district_code == village_code[:4])
            .where(Household.village_code == village_code)
        )
        or 0
    )
    members = (
        select(func.count())
        .where(Person.household_id == Household.household_id)
        .correlate(Household)
        .scalar_subquery()
    )
    head = aliased(Person)
    rows = session.execute(
        select(
            Household.household_id,
            Household.village_name,
            Household.poor,
            head.given_name,
            head.family_name,
            members.label("members"),
        )
        .outerjoin(
            head, and_(head.household_id == Household.household_id, head.relationship == "head")
        )
        .where(Household.district_code == village_code[:4])
        .where(Household.village_code == village_code)
        .order_by(Household.household_id)
        .offset(offset)
        .limit(limit)
    )
    return [row._asdict() for row in rows], total
