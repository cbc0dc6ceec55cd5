"""The registry service: create, read, update and search households and persons.

Functions take the ``Session`` explicitly and never commit; the caller (a CLI command,
a request, a job) owns the transaction. Every change writes an ``AuditEvent`` in the
same transaction. Invalid input raises ``ValidationFailed`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from laosp.access import approvals, audit_trail
from laosp.access.permissions import Action, allows
from laosp.access.roles import EVERYWHERE, Area, Principal
from laosp.models.history import HOUSEHOLD_HISTORY_FIELDS, PERSON_HISTORY_FIELDS
from laosp.reference import dictionary as dd
from laosp.reference.admin_units import district_codes, province_codes
from laosp.registry import repository as repo
from laosp.registry.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    RegisteredMeanwhile,
    RegistryError,
    ValidationFailed,
)
from laosp.registry.history import record_households, record_persons, touches
from laosp.registry.names import NameQuery
from laosp.registry.schemas import (
    AddOutcome,
    HouseholdCreate,
    HouseholdDetail,
    PersonCreate,
    PersonHit,
    PersonRead,
)
from laosp.registry.validation import (
    InputLimits,
    check_extra,
    check_household,
    check_member_count,
    check_members,
    check_person,
    parse,
)

#: Fields whose values the audit trail records only as changed, never in clear.
SENSITIVE = frozenset({"national_id", "phone"})
DEFAULT_ACTOR = "system"
#: The person fields that say who someone is: a change to them waits for a second
#: person (maker–checker, ``laosp.approved_changes``); other fields change at once.
IDENTITY_FIELDS: tuple[str, ...] = tuple(
    dd.person(name).name
    for name in ("given_name", "family_name", "birth_date", "sex", "national_id")
)
#: How many last characters a masked identifier keeps: enough to tell two apart on a
#: call, too few to use elsewhere.
MASK_KEEPS = {"national_id": 3, "phone": 2}
MASK = "•"
#: At most this many person ids are kept in the audit event of one search.
AUDITED_HITS = 100
#: A household id that exists outside the principal's area: the same answer whatever the
#: household holds, and nothing about where it is or who lives there.
TAKEN = (
    "this household id is already taken: choose another id / ລະຫັດຄົວເຮືອນນີ້ຖືກໃຊ້ແລ້ວ: ກະລຸນາເລືອກລະຫັດອື່ນ"
)
IN_ANOTHER_HOUSEHOLD = "is already registered in another household / ລົງທະບຽນຢູ່ໃນຄົວເຮືອນອື່ນແລ້ວ"


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _audit_value(name: str, value: Any) -> Any:
    if name in SENSITIVE and value is not None:
        return "<redacted>"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _audit(
    session: Session, actor: str, action: str, entity: str, entity_id: str, changes: Any
) -> None:
    repo.add_audit(
        session, actor=actor, action=action, entity=entity, entity_id=entity_id, changes=changes
    )


def _created(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _audit_value(name, value) for name, value in values.items()}


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` of the fields of ``new`` whose value differs."""
    return {
        name: [_audit_value(name, old.get(name)), _audit_value(name, value)]
        for name, value in new.items()
        if old.get(name) != value
    }


class IdentityCorrection(RegistryError):  # noqa: N818 (reads as what the change is)
    """An update changes who a person is (``IDENTITY_FIELDS``): it waits for a second
    person's approval instead of applying. Nothing was written."""

    def __init__(self, household_id: str, district_code: str, fields: dict[str, list[str]]):
        self.household_id = household_id
        self.district_code = district_code
        #: ``person_id → identity fields the update changes``.
        self.fields = fields
        super().__init__(
            f"household {household_id}: identity changes wait for approval "
            f"({', '.join(f'{pid}: {sorted(names)}' for pid, names in fields.items())})"
        )


def submit_correction(
    session: Session,
    maker: Principal,
    payload: dict[str, Any],
    correction: IdentityCorrection,
) -> approvals.RequestRead:
    """The change request of an identity correction: ``payload`` is the household as
    posted, applied by ``apply_correction`` once another user approves; ``Forbidden``
    without ``correct_identity`` in the household's district."""
    changed = "; ".join(f"{pid}: {', '.join(names)}" for pid, names in correction.fields.items())
    return approvals.submit(
        session,
        maker,
        "identity_correction",
        summary=f"identity correction in household {correction.household_id}: {changed}",
        payload=payload,
        district_code=correction.district_code,
    )


def apply_correction(
    session: Session, payload: Mapping[str, Any], checker: Principal, limits: InputLimits
) -> AddOutcome:
    """Apply an approved identity correction (in the approval's transaction): the
    household as posted, as an update; applying it again changes nothing."""
    return add_household(
        session, payload, actor=checker.username, update=True, limits=limits,
        hold_identity=False,
    )  # fmt: skip


# --- who sees what ---------------------------------------------------------------------


def masked(value: str | None, keep: int) -> str | None:
    """``value`` with all but its last ``keep`` characters hidden (all of a value no
    longer than ``keep``)."""
    if value is None:
        return None
    shown = value[-keep:] if len(value) > keep else ""
    return MASK * (len(value) - len(shown)) + shown


def person_shown_to(principal: Principal, person: PersonRead, district_code: str) -> PersonRead:
    """``person`` (of a household in ``district_code``) as ``principal`` may see them:
    national id and phone masked unless the permission table grants
    ``read_identifiers`` there."""
    if allows(principal, Action.read_identifiers, district_code):
        return person
    hidden = {
        name: masked(getattr(person, name), keep)
        for name, keep in MASK_KEEPS.items()
        if getattr(person, name) is not None
    }
    return person.model_copy(update=hidden) if hidden else person


def household_shown_to(principal: Principal, household: HouseholdDetail) -> HouseholdDetail:
    members = [
        person_shown_to(principal, member, household.district_code) for member in household.members
    ]
    return household.model_copy(update={"members": members})


def record_read(
    session: Session,
    principal: Principal,
    entity: str,
    entity_ids: list[str] | str | None,
    district_code: str | None,
    *,
    action: str = "read",
    details: Mapping[str, Any] | None = None,
) -> None:
    """One audit event for a read (or ``export``) of named personal data: who, which
    records (ids only, at most ``AUDITED_HITS``), where; never names nor search text."""
    changes: dict[str, Any] | None = dict(details) if details else None
    entity_id: str | None
    if isinstance(entity_ids, list):
        changes = {**(changes or {}), "count": len(entity_ids),
                   "ids": entity_ids[:AUDITED_HITS]}  # fmt: skip
        entity_id = None
    else:
        entity_id = entity_ids
    audit_trail.record(
        session,
        actor=principal.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=changes,
        district_code=district_code,
    )


# --- reading -------------------------------------------------------------------------


def get_household(session: Session, household_id: str) -> HouseholdDetail:
    household = repo.get_household(session, household_id)
    if household is None:
        raise NotFoundError("household", household_id)
    members = [repo.to_person_read(person) for person in repo.members_of(session, household_id)]
    return HouseholdDetail(**repo.to_household_read(household).model_dump(), members=members)


def get_person(session: Session, person_id: str) -> PersonRead:
    person = repo.get_person(session, person_id)
    if person is None:
        raise NotFoundError("person", person_id)
    return repo.to_person_read(person)


def _search_filters(
    district_code: str | None, province_code: str | None, limit: int = 1, offset: int = 0
) -> None:
    errors: list[FieldError] = []
    if district_code is not None and district_code not in district_codes():
        errors.append(FieldError("district", district_code, "is not one of the 148 district codes"))
    if province_code is not None and province_code not in province_codes():
        errors.append(FieldError("province", province_code, "is not one of the province codes"))
    if limit < 1:
        errors.append(FieldError("limit", limit, "must be at least 1"))
    if offset < 0:
        errors.append(FieldError("offset", offset, "must be at least 0"))
    if errors:
        raise ValidationFailed(errors)


def search(
    session: Session,
    *,
    name: str | None = None,
    district_code: str | None = None,
    province_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PersonHit]:
    """Persons by name (Lao script or romanised; every word of the query must occur,
    tone marks, case, diacritics and romanisation variants ignored), district and
    province: ``limit`` of them after the first ``offset``."""
    _search_filters(district_code, province_code, limit, offset)
    return repo.search_persons(
        session,
        NameQuery.of(name or ""),
        district_code=district_code,
        province_code=province_code,
        limit=limit,
        offset=offset,
    )


def search_total(
    session: Session,
    *,
    name: str | None = None,
    district_code: str | None = None,
    province_code: str | None = None,
) -> int:
    """How many persons ``search`` finds over all its pages."""
    _search_filters(district_code, province_code)
    return repo.count_persons(
        session, NameQuery.of(name or ""), district_code=district_code, province_code=province_code
    )


def villages_of(session: Session, district_code: str) -> list[dict[str, Any]]:
    """The villages of a district with their households and persons registered
    (aggregates: no names)."""
    return repo.village_counts(session, district_code)


def households_of_village(
    session: Session, village_code: str, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of the households of a village (their heads' names: personal data, to be
    shown only to those who may read persons there, and the read audited) and their
    count."""
    return repo.village_households(session, village_code, limit, offset)


# --- households with members -----------------------------------------------------------


def _parse_input(
    data: Mapping[str, Any] | BaseModel, today: dt.date, limits: InputLimits
) -> tuple[HouseholdCreate | None, dict[int, PersonCreate], list[FieldError], bool]:
    """Parse and check a household with members, collecting every problem found (a
    household over the member limit is refused before its members are parsed); the
    last value tells whether every member could be parsed."""
    raw = data.model_dump(exclude_unset=True) if isinstance(data, BaseModel) else data
    if not isinstance(raw, Mapping):
        raise ValidationFailed([FieldError("(input)", raw, "must be an object (a household)")])
    header = {key: value for key, value in raw.items() if key != "members"}
    household, errors = parse(HouseholdCreate, header)
    raw_members = raw.get("members") or []
    members: dict[int, PersonCreate] = {}
    if not isinstance(raw_members, list):
        errors.append(FieldError("members", raw_members, "must be a list of persons"))
        raw_members = []
    _raise_if(check_member_count(len(raw_members), limits))
    for index, raw_member in enumerate(raw_members):
        prefix = f"members[{index}]"
        member, member_errors = parse(PersonCreate, raw_member, prefix)
        errors.extend(member_errors)
        if member is None:
            continue
        if household is not None and member.household_id not in (None, household.household_id):
            errors.append(
                FieldError(
                    f"{prefix}.household_id",
                    member.household_id,
                    f"must be empty or equal to the household's id {household.household_id}",
                )
            )
        errors.extend(check_person(member, today, prefix))
        errors.extend(check_extra(member.extra, limits, f"{prefix}.extra"))
        members[index] = member
    if household is not None:
        errors.extend(check_household(household, today))
        errors.extend(check_extra(household.extra, limits))
    return household, members, errors, len(members) == len(raw_members)


def _person_row(member: PersonCreate | PersonRead, household_id: str) -> dict[str, Any]:
    values = member.model_dump(exclude={"household_id"})
    values["household_id"] = household_id
    return values


def _within(session: Session, person_ids: set[str], area: Area) -> set[str]:
    """Those of ``person_ids`` registered in a household inside ``area``."""
    homes = repo.households_of(session, person_ids)
    districts: dict[str, str | None] = {}
    for household_id in set(homes.values()):
        household = repo.get_household(session, household_id)
        districts[household_id] = household.district_code if household is not None else None
    return {
        person_id
        for person_id, household_id in homes.items()
        if (district := districts[household_id]) is not None and area.contains(district)
    }


def _check_people(
    session: Session,
    household_id: str | None,
    members: Mapping[str, PersonCreate | PersonRead],
    *,
    all_parsed: bool = True,
    area: Area = EVERYWHERE,
) -> list[FieldError]:
    """Rules across the members (keyed by their path in the input) and the rest of the
    registry (``all_parsed`` as in ``check_members``). A mother registered outside
    ``area`` is taken as not registered, and no message names another household: a
    refusal tells nothing about persons the actor may not see."""
    named = {member.mother_id for member in members.values() if member.mother_id}
    mothers = repo.sexes_of(session, named)
    if not area.everywhere:
        visible = _within(session, set(mothers), area)
        mothers = {pid: sex for pid, sex in mothers.items() if pid in visible}
    mothers.update({member.person_id: member.sex for member in members.values()})
    errors = check_members(members, mothers, all_parsed=all_parsed)
    elsewhere = repo.households_of(session, (member.person_id for member in members.values()))
    for path, member in members.items():
        other = elsewhere.get(member.person_id)
        if other is not None and other != household_id:
            errors.append(FieldError(f"{path}.person_id", member.person_id, IN_ANOTHER_HOUSEHOLD))
    return errors


def _raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _paths(members: Mapping[int, PersonCreate]) -> dict[str, PersonCreate | PersonRead]:
    return {f"members[{index}]": member for index, member in members.items()}


def add_household(
    session: Session,
    data: Mapping[str, Any] | BaseModel,
    *,
    actor: str = DEFAULT_ACTOR,
    update: bool = False,
    today: dt.date | None = None,
    limits: InputLimits = InputLimits(),
    area: Area = EVERYWHERE,
    hold_identity: bool = True,
) -> AddOutcome:
    """Register a household with its members.

    Adding a household that is already registered with the same data changes nothing
    (``unchanged``). With different data it is a ``ConflictError`` unless ``update`` is true:
    then the household's fields and the listed members are updated, new members added,
    and members not listed are kept as they are. ``limits`` bound the members (also
    after an update) and each ``extra``.

    ``area`` is where the actor may see persons: a household id registered outside it
    is refused with ``TAKEN`` whatever its data, and messages name nothing outside it.
    An update that changes a registered person's ``IDENTITY_FIELDS`` raises
    ``IdentityCorrection`` (after every other check) instead of applying, for a change
    request; only an approved correction passes ``hold_identity=False``.
    """
    household, members, errors, all_parsed = _parse_input(data, _today(today), limits)
    if household is None:
        _raise_if(
            errors + _check_people(session, None, _paths(members), all_parsed=all_parsed, area=area)
        )
    assert household is not None
    household_id = household.household_id
    household_values = household.model_dump(exclude={"household_id"})
    existing = repo.lock_household(session, household_id)
    if existing is None:
        people = _check_people(
            session, household_id, _paths(members), all_parsed=all_parsed, area=area
        )
        _raise_if(errors + people)
        if repo.insert_household_if_new(
            session, {"household_id": household_id, **household_values}
        ):
            return _created_household(session, household_id, household_values, members, actor)
        # a concurrent request registered it since the check (PostgreSQL waited for its
        # commit): the answer is then the one a request just after it would get
        existing = repo.lock_household(session, household_id)
        if existing is None:
            raise RegisteredMeanwhile(household_id)
    if not area.contains(existing.district_code):
        raise ConflictError("household_id", household_id, TAKEN)
    _raise_if(errors)
    return _merge_household(
        session, existing, household_values, members, actor, update, limits, _today(today),
        area=area, hold_identity=hold_identity,
    )  # fmt: skip


def _created_household(
    session: Session,
    household_id: str,
    household_values: dict[str, Any],
    members: Mapping[int, PersonCreate],
    actor: str,
) -> AddOutcome:
    """The members and the audit events of a household just inserted."""
    rows = [_person_row(member, household_id) for member in members.values()]
    _insert_members(session, household_id, rows)
    _audit(session, actor, "create", "household", household_id, _created(household_values))
    for row in rows:
        _audit(session, actor, "create", "person", row["person_id"], _created(row))
    return AddOutcome(household_id=household_id, action="created", members=len(rows))


def _insert_members(session: Session, household_id: str, rows: list[dict[str, Any]]) -> None:
    """Insert persons checked as new; ``RegisteredMeanwhile`` when a concurrent request
    registered one of them after the check."""
    try:
        repo.insert_persons(session, rows)
    except IntegrityError:
        raise RegisteredMeanwhile(household_id, member=True) from None


def _merge_household(
    session: Session,
    existing: Any,
    household_values: dict[str, Any],
    members: dict[int, PersonCreate],
    actor: str,
    update: bool,
    limits: InputLimits,
    today: dt.date,
    *,
    area: Area,
    hold_identity: bool,
) -> AddOutcome:
    household_id: str = existing.household_id
    current = {person.person_id: person for person in repo.members_of(session, household_id)}
    household_changes = _diff(repo.household_values(existing), household_values)
    person_changes: dict[str, dict[str, Any]] = {}
    new_rows: list[dict[str, Any]] = []
    for member in members.values():
        row = _person_row(member, household_id)
        person = current.get(member.person_id)
        if person is None:
            new_rows.append(row)
        elif changes := _diff(repo.person_values(person), row):
            person_changes[member.person_id] = changes
    if not (household_changes or person_changes or new_rows):
        return AddOutcome(household_id=household_id, action="unchanged", members=len(current))
    if not update:
        raise ConflictError(
            "household_id",
            household_id,
            f"household {household_id} is already registered with different data "
            "(use --update to change it)",
        )
    _raise_if(check_member_count(len(current) + len(new_rows), limits))
    listed = {member.person_id for member in members.values()}
    merged: dict[str, PersonCreate | PersonRead] = {
        f"registered person {person_id}": repo.to_person_read(person)
        for person_id, person in current.items()
        if person_id not in listed
    }
    merged.update(_paths(members))
    _raise_if(_check_people(session, household_id, merged, area=area))
    corrections = {
        person_id: names
        for person_id, diff in person_changes.items()
        if (names := [name for name in IDENTITY_FIELDS if name in diff])
    }
    if hold_identity and corrections:
        raise IdentityCorrection(household_id, existing.district_code, corrections)
    if touches(household_changes, HOUSEHOLD_HISTORY_FIELDS):
        record_households(session, [household_id], today)
    record_persons(
        session,
        [pid for pid, diff in person_changes.items() if touches(diff, PERSON_HISTORY_FIELDS)],
        today,
    )
    if household_changes:
        repo.update_household(session, existing, household_values)
        _audit(session, actor, "update", "household", household_id, household_changes)
    for member in members.values():
        person = current.get(member.person_id)
        if person is not None and member.person_id in person_changes:
            repo.update_person(session, person, _person_row(member, household_id))
            _audit(
                session,
                actor,
                "update",
                "person",
                member.person_id,
                person_changes[member.person_id],
            )
    _insert_members(session, household_id, new_rows)
    for row in new_rows:
        _audit(session, actor, "create", "person", row["person_id"], _created(row))
    return AddOutcome(
        household_id=household_id, action="updated", members=len(current) + len(new_rows)
    )
