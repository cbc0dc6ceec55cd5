"""The rules of ``shared/spec/registry.md`` that Pydantic types alone do not express.

Every check returns a list of ``FieldError`` rather than stopping at the first problem.
Nothing here touches the database: facts that live there (does the mother exist? is she
female?) are passed in by the service.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from laosp.config import Settings
from laosp.reference import dictionary as dd
from laosp.reference.admin_units import district_codes
from laosp.registry.countries import ISO_ALPHA2
from laosp.registry.errors import FieldError
from laosp.registry.schemas import NOT_PLAIN_REASON, HouseholdFields, PersonFields

#: Children under this age are outside the labour force (``inactive``).
WORKING_AGE = 15
EARLIEST_BIRTH_DATE: dt.date = dd.person("birth_date").earliest or dt.date.min
_DIGITS = re.compile(r"^[0-9]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,30}$")

Model = TypeVar("Model", bound=BaseModel)


def field_path(prefix: str, loc: Iterable[str | int]) -> str:
    """``("members", 2, "sex")`` → ``members[2].sex`` (below ``prefix``)."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path or "(input)"


def reason_of(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    reasons = {
        "missing": "required",
        "extra_forbidden": "unknown field (put additional data under 'extra')",
        "string_too_short": "must not be empty",
        "string_pattern_mismatch": "must not contain spaces",
        "int_from_float": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "bool_parsing": "must be true or false",
        "bool_type": "must be true or false",
        "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
        "date_from_datetime_inexact": "must be a date (YYYY-MM-DD) without a time",
        "date_parsing": "must be a date (YYYY-MM-DD)",
        "date_type": "must be a date (YYYY-MM-DD)",
        "string_type": "must be text",
        "dict_type": "must be an object",
        "model_type": "must be an object",
        "list_type": "must be a list",
        "string_unicode": NOT_PLAIN_REASON,
    }
    if kind in reasons:
        return reasons[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "greater_than_equal":
        return "must not be negative" if ctx.get("ge") == 0 else f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error["msg"])


def from_pydantic(error: ValidationError, prefix: str = "") -> list[FieldError]:
    return [
        FieldError(field_path(prefix, detail["loc"]), detail.get("input"), reason_of(detail))
        for detail in error.errors()
    ]


def parse(model: type[Model], data: Any, prefix: str = "") -> tuple[Model | None, list[FieldError]]:
    """``model`` built from ``data``, or the reasons it cannot be."""
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, from_pydantic(error, prefix)


def _setting_default(name: str) -> int:
    default: int = Settings.model_fields[name].default
    return default


@dataclass(frozen=True, slots=True)
class InputLimits:
    """How large one household's input may be: its members
    (``Settings.max_members_per_household``) and each ``extra`` object
    (``Settings.max_extra_bytes``). Resolved at the edge from the settings; the defaults
    are the settings' defaults."""

    max_members: int = _setting_default("max_members_per_household")
    max_extra_bytes: int = _setting_default("max_extra_bytes")

    @classmethod
    def of(cls, settings: Settings) -> InputLimits:
        return cls(settings.max_members_per_household, settings.max_extra_bytes)


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON (how ``extra`` is measured)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return len(text.encode("utf-8", "surrogatepass"))


def check_member_count(count: int, limits: InputLimits, field: str = "members") -> list[FieldError]:
    if count <= limits.max_members:
        return []
    return [
        FieldError(
            field,
            count,
            f"a household has at most {limits.max_members} members (setting "
            f"max_members_per_household) / ຄົວເຮືອນໜຶ່ງມີສະມາຊິກໄດ້ບໍ່ເກີນ {limits.max_members} ຄົນ",
        )
    ]


def check_extra(
    extra: Mapping[str, Any] | None, limits: InputLimits, field: str = "extra"
) -> list[FieldError]:
    """The size of one ``extra`` object (already checked by ``schemas.storable_json``); the
    value reported is its size, not the object."""
    if extra is None:
        return []
    size = json_size(extra)
    if size <= limits.max_extra_bytes:
        return []
    return [
        FieldError(
            field,
            f"{size} bytes",
            f"must be at most {limits.max_extra_bytes} bytes as JSON (setting max_extra_bytes)"
            f" / ຂໍ້ມູນເພີ່ມເຕີມໃຫຍ່ໄດ້ບໍ່ເກີນ {limits.max_extra_bytes} ໄບຕ໌",
        )
    ]


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (a person is 5 on their fifth birthday)."""
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_household(
    household: HouseholdFields, today: dt.date, prefix: str = ""
) -> list[FieldError]:
    errors: list[FieldError] = []
    district = household.district_code
    if district not in district_codes():
        reason = (
            f"{district!r} is not one of the {len(district_codes())} district codes"
            if _DIGITS.match(district) and len(district) == 4
            else "must be four digits PPDD, one of the district codes"
        )
        errors.append(FieldError(_at(prefix, "district_code"), district, reason))
    village = household.village_code
    if village is not None:
        if not (_DIGITS.match(village) and len(village) == 7):
            errors.append(
                FieldError(_at(prefix, "village_code"), village, "must be seven digits PPDDVVV")
            )
        elif not village.startswith(district):
            errors.append(
                FieldError(
                    _at(prefix, "village_code"),
                    village,
                    f"must start with the district code {district}",
                )
            )
    if household.registered_on is not None and household.registered_on > today:
        errors.append(
            FieldError(_at(prefix, "registered_on"), household.registered_on, "is in the future")
        )
    return errors


def check_person(person: PersonFields, today: dt.date, prefix: str = "") -> list[FieldError]:
    """The rules within one person's record."""
    errors: list[FieldError] = []

    def add(name: str, reason: str) -> None:
        errors.append(FieldError(_at(prefix, name), getattr(person, name), reason))

    if person.birth_date > today:
        add("birth_date", "is in the future")
    elif person.birth_date < EARLIEST_BIRTH_DATE:
        add("birth_date", f"is before {EARLIEST_BIRTH_DATE.isoformat()}")
    if person.birth_date_precision == "year" and person.birth_date.timetuple()[1:3] != (1, 1):
        add("birth_date", "must be 1 January when birth_date_precision is year")
    elif person.birth_date_precision == "month" and person.birth_date.day != 1:
        add("birth_date", "must be the first of the month when birth_date_precision is month")
    if person.nationality not in ISO_ALPHA2:
        add("nationality", "must be an ISO 3166 alpha-2 country code such as LA or TH")
    if person.phone is not None and not _PHONE.match(person.phone):
        add("phone", "must be digits, optionally with a leading + and spaces or dashes")
    if person.pregnant:
        if person.sex != "F":
            add("pregnant", "only a woman (sex F) can be pregnant")
        if person.pregnancy_month is None:
            add("pregnancy_month", "required when pregnant is true")
    elif person.pregnancy_month is not None:
        add("pregnancy_month", "must be empty when pregnant is false")
    errors.extend(_check_employment(person, today, prefix))
    return errors


def _check_employment(person: PersonFields, today: dt.date, prefix: str) -> list[FieldError]:
    errors: list[FieldError] = []

    def add(name: str, reason: str) -> None:
        errors.append(FieldError(_at(prefix, name), getattr(person, name), reason))

    status = person.employment_status
    if status != "inactive" and age_on(person.birth_date, today) < WORKING_AGE:
        add("employment_status", f"must be inactive for a child under {WORKING_AGE}")
    if status == "employed":
        if person.employment_type is None:
            add("employment_type", "required when employment_status is employed")
        if person.sector is None:
            add("sector", "required when employment_status is employed")
        if person.employment_type == "employee" and person.employer_type is None:
            add("employer_type", "required when employment_type is employee")
        if person.employment_type not in (None, "employee") and person.employer_type is not None:
            add("employer_type", "only for an employee (employment_type employee)")
    else:
        for name in ("employment_type", "employer_type", "sector"):
            if getattr(person, name) is not None:
                add(name, "must be empty when employment_status is not employed")
        if person.formal:
            add("formal", "must be false when employment_status is not employed")
        if person.earnings_monthly:
            add("earnings_monthly", "must be 0 when employment_status is not employed")
    return errors


def check_members(
    members: Mapping[str, Any],
    mothers: Mapping[str, str],
    prefix: str = "members",
    *,
    all_parsed: bool = True,
) -> list[FieldError]:
    """Rules across a household's members: ids unique, exactly one head, mothers exist
    and are women. ``members`` maps each member's path (``members[2]``) to its parsed
    record (a ``PersonCreate`` or ``PersonRead``); ``mothers`` maps the ids of persons
    who may be named as mother (members and persons already registered) to their sex.
    When some members could not be parsed (``all_parsed`` false, their errors already
    reported), a missing head is not reported: the head may be one of them."""
    errors: list[FieldError] = []
    counts = Counter(member.person_id for member in members.values())
    for path, member in members.items():
        if counts[member.person_id] > 1:
            errors.append(FieldError(f"{path}.person_id", member.person_id, "appears twice"))
    heads = [path for path, member in members.items() if member.relationship == "head"]
    if not heads and all_parsed:
        errors.append(FieldError(prefix, None, "a household needs exactly one head (none given)"))
    for path in heads[1:]:
        errors.append(
            FieldError(
                f"{path}.relationship",
                "head",
                f"a household has exactly one head ({heads[0]} is the head)",
            )
        )
    for path, member in members.items():
        mother = member.mother_id
        if mother is None:
            continue
        field = f"{path}.mother_id"
        if mother == member.person_id:
            errors.append(FieldError(field, mother, "a person cannot be their own mother"))
        elif mother not in mothers:
            errors.append(FieldError(field, mother, "no person with this id is registered"))
        elif mothers[mother] != "F":
            errors.append(FieldError(field, mother, "the mother must be a woman (sex F)"))
    return errors
