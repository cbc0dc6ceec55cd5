"""The data dictionary of the registry: every household and person field once, with its
type, code list, whether it is required, what a missing value means (and why), its
bounds and its Lao and English labels (``shared/spec/registry.md``).

Everything else is derived from here: the rules engine's inputs (``laosp.rules.fields``),
the API schemas' code lists (``laosp.registry.schemas``), the importers' columns
(``laosp.registry.import_fields``), the database's code CHECKs (``laosp.models.registry``),
the snapshot's coded columns and the labels on screens (``laosp.presentation.i18n``).
Tests hold the models and the dictionary to each other (``tests/registry/test_dictionary``).

``type`` is one of ``str int date bool money code`` (money: whole kip, 64-bit). A
``default`` of ``None`` on an optional field means "not given, stored empty (NULL)"; the
rules engine reads that as ``""`` (text, code) or ``0`` (numbers), see ``rules_default``.
A required field has no default: a record without it is refused, and the rules engine
refuses a frame without it rather than guess (a missing sex is never "F").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import KW_ONLY, dataclass
from functools import partial
from typing import Literal

from laosp.reference import codes

Entity = Literal["household", "person"]
Type = Literal["str", "int", "date", "bool", "money", "code"]
#: The shape of a text field: ``id`` (≤64, no spaces), ``name`` (≤120), ``short`` (≤32),
#: ``district`` (PPDD), ``village`` (PPDDVVV), ``country`` (ISO 3166 alpha-2), ``phone``.
Text = Literal["id", "name", "short", "district", "village", "country", "phone"]

HOUSEHOLD: Entity = "household"
PERSON: Entity = "person"
SPEC = "shared/spec/registry.md"
#: Largest whole kip a 64-bit column holds (national totals exceed 2**31).
MAX_KIP = 2**63 - 1
TEXT_LENGTHS: dict[Text, int] = {
    "id": 64,
    "name": 120,
    "short": 32,
    "district": 4,
    "village": 7,
    "country": 2,
    "phone": 32,
}


@dataclass(frozen=True, slots=True)
class Field:
    """One registry field. ``key``: an identifier (not a rule input); ``rules``: the rules
    engine reads it; ``derived``: computed from other fields, never stored;
    ``sensitive``: left out of snapshots unless asked for."""

    name: str
    type: Type
    label_en: str
    label_lo: str
    _: KW_ONLY
    entity: Entity
    required: bool = False
    default: object = None
    why: str = ""  # why a missing value means ``default`` (or why none is allowed)
    codes: tuple[str, ...] = ()
    text: Text | None = None
    low: int | None = None
    high: int | None = None
    earliest: dt.date | None = None
    key: bool = False
    rules: bool = True
    derived: bool = False
    sensitive: bool = False

    def label(self, lang: str) -> str:
        return self.label_lo if lang == "lo" else self.label_en

    @property
    def labels(self) -> str:
        """``Sex / ເພດ``: both labels, for messages read by either reader."""
        return f"{self.label_en} / {self.label_lo}"

    @property
    def max_length(self) -> int | None:
        if self.type == "code":
            return max(len(code) for code in self.codes)
        return TEXT_LENGTHS[self.text] if self.text is not None else None

    @property
    def stored(self) -> bool:
        return not self.derived


_h = partial(Field, entity=HOUSEHOLD)
_p = partial(Field, entity=PERSON)


_REQUIRED = f"required ({SPEC}): a record without it is refused, never guessed"
_NOT_APPLICABLE = "not applicable: empty unless the person is employed"

HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    _h(
        "household_id",
        "str",
        "Household ID",
        "ລະຫັດຄົວເຮືອນ",
        required=True,
        text="id",
        key=True,
        rules=False,
        why=_REQUIRED,
    ),
    _h("district_code", "str", "District", "ເມືອງ", required=True, text="district", why=_REQUIRED),
    _h(
        "village_code",
        "str",
        "Village code",
        "ລະຫັດບ້ານ",
        text="village",
        why="not known: the village is recorded when known",
    ),
    _h("village_name", "str", "Village", "ບ້ານ", text="name", rules=False, why="not known"),
    _h(
        "urban",
        "bool",
        "Urban area",
        "ເຂດຕົວເມືອງ",
        default=False,
        why=f"{SPEC}: no (false); an area not marked urban is rural",
    ),
    _h(
        "poor",
        "bool",
        "Poor household",
        "ຄົວເຮືອນທຸກຍາກ",
        default=False,
        why=f"{SPEC}: no (false); only a household certified poor (Decree 348/GOV 2017) is",
    ),
    _h("registered_on", "date", "Registered on", "ວັນທີລົງທະບຽນ", rules=False, why="not known"),
    _h(
        "province_code",
        "str",
        "Province",
        "ແຂວງ",
        text="short",
        derived=True,
        why=f"{SPEC}: the first two digits of district_code, never stored apart from it",
    ),
)

PERSON_FIELDS: tuple[Field, ...] = (
    _p(
        "person_id",
        "str",
        "Person ID",
        "ລະຫັດບຸກຄົນ",
        required=True,
        text="id",
        key=True,
        rules=False,
        why=_REQUIRED,
    ),
    _p(
        "household_id",
        "str",
        "Household ID",
        "ລະຫັດຄົວເຮືອນ",
        required=True,
        text="id",
        key=True,
        rules=False,
        why=_REQUIRED,
    ),
    _p(
        "relationship",
        "code",
        "Relationship to the head",
        "ຄວາມສຳພັນກັບຫົວໜ້າຄົວເຮືອນ",
        required=True,
        codes=codes.RELATIONSHIPS,
        why=_REQUIRED,
    ),
    _p(
        "given_name",
        "str",
        "Given name",
        "ຊື່",
        required=True,
        text="name",
        rules=False,
        why=_REQUIRED,
    ),
    _p(
        "family_name",
        "str",
        "Family name",
        "ນາມສະກຸນ",
        required=True,
        text="name",
        rules=False,
        why=_REQUIRED,
    ),
    _p("sex", "code", "Sex", "ເພດ", required=True, codes=codes.SEXES, why=_REQUIRED),
    _p(
        "birth_date",
        "date",
        "Date of birth",
        "ວັນເດືອນປີເກີດ",
        required=True,
        earliest=dt.date(1900, 1, 1),
        why=_REQUIRED,
    ),
    _p(
        "birth_date_precision",
        "code",
        "Precision of the date of birth",
        "ຄວາມລະອຽດຂອງວັນເດືອນປີເກີດ",
        default="day",
        codes=codes.BIRTH_DATE_PRECISIONS,
        why=f"{SPEC}: no (day); a date given in full is known to the day",
    ),
    _p(
        "national_id",
        "str",
        "National ID",
        "ເລກບັດປະຈຳຕົວ",
        text="short",
        rules=False,
        sensitive=True,
        why="none exists or not known",
    ),
    _p(
        "phone",
        "str",
        "Phone",
        "ເບີໂທລະສັບ",
        text="phone",
        rules=False,
        sensitive=True,
        why="not known",
    ),
    _p(
        "nationality",
        "str",
        "Nationality",
        "ສັນຊາດ",
        default="LA",
        text="country",
        why=f"{SPEC}: no (LA); the registry serves the residents of Lao PDR",
    ),
    _p("mother_id", "str", "Mother", "ແມ່", text="id", why="the mother is not in the registry"),
    _p("pregnant", "bool", "Pregnant", "ຖືພາ", default=False, why=f"{SPEC}: no (false)"),
    _p(
        "pregnancy_month",
        "int",
        "Month of pregnancy",
        "ເດືອນຂອງການຖືພາ",
        low=1,
        high=9,
        why=f"{SPEC}: given only when pregnant; empty means not pregnant",
    ),
    _p(
        "disability",
        "code",
        "Disability",
        "ຄວາມພິການ",
        default="none",
        codes=codes.DISABILITIES,
        why=f"{SPEC}: no (none); no difficulty reported (Washington Group short set)",
    ),
    _p(
        "monk", "bool", "Monk or novice", "ພະສົງ ຫຼື ສາມະເນນ", default=False, why=f"{SPEC}: no (false)"
    ),
    _p(
        "employment_status",
        "code",
        "Employment status",
        "ສະຖານະການເຮັດວຽກ",
        default="inactive",
        codes=codes.EMPLOYMENT_STATUSES,
        why=f"{SPEC}: no (inactive); outside the labour force unless reported otherwise",
    ),
    _p(
        "employment_type",
        "code",
        "Status in employment",
        "ປະເພດການເຮັດວຽກ",
        codes=codes.EMPLOYMENT_TYPES,
        why=_NOT_APPLICABLE,
    ),
    _p(
        "employer_type",
        "code",
        "Employer",
        "ປະເພດນາຍຈ້າງ",
        codes=codes.EMPLOYER_TYPES,
        why="not applicable: empty unless the person is an employee",
    ),
    _p("formal", "bool", "Formal job", "ວຽກໃນລະບົບ", default=False, why=f"{SPEC}: no (false)"),
    _p("sector", "code", "Sector", "ຂະແໜງການ", codes=codes.SECTORS, why=_NOT_APPLICABLE),
    _p(
        "earnings_monthly",
        "money",
        "Monthly earnings",
        "ລາຍຮັບຕໍ່ເດືອນ",
        default=0,
        low=0,
        high=MAX_KIP,
        why=f"{SPEC}: no (0); no earnings from work reported",
    ),
    _p(
        "declared_income_monthly",
        "money",
        "Declared monthly income",
        "ລາຍຮັບທີ່ແຈ້ງຕໍ່ເດືອນ",
        default=0,
        low=0,
        high=MAX_KIP,
        why=f"{SPEC}: no (0); 0 = has not joined the voluntary social security scheme",
    ),
    _p(
        "nssf_contribution_months",
        "int",
        "Months of NSSF contributions",
        "ຈຳນວນເດືອນທີ່ສົ່ງເງິນສະສົມ ປກສ",
        default=0,
        low=0,
        high=1200,
        why=f"{SPEC}: no (0); at most 1200 (a hundred years of contributions)",
    ),
    _p(
        "cct_compliant",
        "bool",
        "Meets the CCT conditions",
        "ປະຕິບັດຕາມເງື່ອນໄຂ CCT",
        default=True,
        why=f"{SPEC}: no (true); compliant unless found otherwise",
    ),
    _p(
        "facility_level",
        "code",
        "Health facility level",
        "ລະດັບສະຖານບໍລິການສາທາລະນະສຸກ",
        default="district",
        codes=codes.FACILITY_LEVELS,
        why=f"{SPEC}: no (district); used by co-payment outputs only",
    ),
    _p(
        "age",
        "int",
        "Age (years)",
        "ອາຍຸ (ປີ)",
        derived=True,
        why=f"{SPEC}: completed years from birth_date at the evaluation date",
    ),
    _p(
        "age_months",
        "int",
        "Age (months)",
        "ອາຍຸ (ເດືອນ)",
        derived=True,
        why=f"{SPEC}: completed months from birth_date at the evaluation date",
    ),
)

FIELDS: dict[tuple[Entity, str], Field] = {
    (f.entity, f.name): f for f in (*HOUSEHOLD_FIELDS, *PERSON_FIELDS)
}

#: Labels of the codes, for screens and reports (names, never internal codes).
CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "relationship": {
        "head": ("Head", "ຫົວໜ້າຄົວເຮືອນ"),
        "spouse": ("Spouse", "ຄູ່ສົມລົດ"),
        "child": ("Child", "ລູກ"),
        "parent": ("Parent", "ພໍ່ ຫຼື ແມ່"),
        "sibling": ("Sibling", "ອ້າຍ ເອື້ອຍ ນ້ອງ"),
        "grandchild": ("Grandchild", "ຫຼານ"),
        "other": ("Other", "ອື່ນໆ"),
    },
    "sex": {"F": ("Female", "ຍິງ"), "M": ("Male", "ຊາຍ")},
    "birth_date_precision": {
        "day": ("Day", "ວັນ"),
        "month": ("Month", "ເດືອນ"),
        "year": ("Year", "ປີ"),
    },
    "disability": {
        "none": ("None", "ບໍ່ມີ"),
        "moderate": ("Moderate", "ປານກາງ"),
        "severe": ("Severe", "ຮ້າຍແຮງ"),
    },
    "employment_status": {
        "employed": ("Employed", "ມີວຽກເຮັດ"),
        "unemployed": ("Unemployed", "ຫວ່າງງານ"),
        "inactive": ("Outside the labour force", "ຢູ່ນອກກຳລັງແຮງງານ"),
    },
    "employment_type": {
        "employee": ("Employee", "ລູກຈ້າງ"),
        "employer": ("Employer", "ນາຍຈ້າງ"),
        "own_account": ("Own-account worker", "ເຮັດວຽກສ່ວນຕົວ"),
        "contributing_family": ("Contributing family worker", "ແຮງງານຄອບຄົວ"),
    },
    "employer_type": {
        "private": ("Private", "ເອກະຊົນ"),
        "public": ("Public", "ລັດ"),
        "military_police": ("Military or police", "ທະຫານ ຫຼື ຕຳຫຼວດ"),
    },
    "sector": {
        "agriculture": ("Agriculture", "ກະສິກຳ"),
        "industry": ("Industry", "ອຸດສາຫະກຳ"),
        "services": ("Services", "ການບໍລິການ"),
    },
    "facility_level": {
        "health_centre": ("Health centre", "ສຸກສາລາ"),
        "district": ("District hospital", "ໂຮງໝໍເມືອງ"),
        "provincial": ("Provincial hospital", "ໂຮງໝໍແຂວງ"),
        "central": ("Central hospital", "ໂຮງໝໍສູນກາງ"),
    },
}


def fields(entity: Entity) -> tuple[Field, ...]:
    return PERSON_FIELDS if entity == PERSON else HOUSEHOLD_FIELDS


def field(entity: Entity, name: str) -> Field:
    return FIELDS[(entity, name)]


def person(name: str) -> Field:
    return FIELDS[(PERSON, name)]


def household(name: str) -> Field:
    return FIELDS[(HOUSEHOLD, name)]


def rules_default(f: Field) -> object:
    """What the rules engine reads for a missing value of optional ``f``: its default,
    else ``""`` for text ("not applicable") and ``0`` for numbers ("none")."""
    if f.default is not None:
        return f.default
    return {"str": "", "code": "", "int": 0, "money": 0}.get(f.type)


def rules_codes(f: Field) -> tuple[str, ...]:
    """The values the rules engine may see in coded ``f``: "" leads the codes of a field
    the registry leaves empty where it does not apply."""
    if not f.codes:
        return ()
    return f.codes if f.required or f.default is not None else ("", *f.codes)


def code_label(name: str, code: str, lang: str) -> str:
    """The label of ``code`` of field ``name`` (the code itself where it has none)."""
    pair = CODE_LABELS.get(name, {}).get(code)
    if pair is None:
        return code
    return pair[1] if lang == "lo" else pair[0]


def codes_reason(f: Field) -> str:
    """The one reason a value outside ``f``'s code list is refused, with its labels, for
    the API and the importers alike."""
    return f"must be one of {', '.join(f.codes)} ({f.labels})"


#: The coded person columns and the values the rules engine may see in each, as the
#: registry snapshot types them (a ``pl.Enum`` each).
PERSON_CODED_COLUMNS: dict[str, tuple[str, ...]] = {
    f.name: rules_codes(f) for f in PERSON_FIELDS if f.codes
}
