"""The columns of the import files (``shared/spec/registry.md``, "Files"); reading a file
is ``import_file.read_table``."""

from __future__ import annotations

import polars as pl

from laosp.reference import codes
from laosp.registry.import_columns import ROW, Field
from laosp.registry.validation import EARLIEST_BIRTH_DATE

HOUSEHOLD_COLUMNS = (
    Field("household_id", "id", required=True),
    Field("district_code", "short", required=True),
    Field("village_code", "short"),
    Field("village_name", "name"),
    Field("urban", "bool", default=False),
    Field("poor", "bool", default=False),
    Field("registered_on", "date"),
)
PERSON_COLUMNS = (
    Field("person_id", "id", required=True),
    Field("household_id", "id", required=True),
    Field("relationship", "code", required=True, codes=codes.RELATIONSHIPS),
    Field("given_name", "name", required=True),
    Field("family_name", "name", required=True),
    Field("sex", "code", required=True, codes=codes.SEXES),
    Field("birth_date", "date", required=True, earliest=EARLIEST_BIRTH_DATE),
    Field("birth_date_precision", "code", codes=codes.BIRTH_DATE_PRECISIONS),
    Field("national_id", "short"),
    Field("phone", "phone"),
    Field("nationality", "country", default="LA"),
    Field("mother_id", "id"),
    Field("pregnant", "bool", default=False),
    Field("pregnancy_month", "int", low=1, high=9),
    Field("disability", "code", default="none", codes=codes.DISABILITIES),
    Field("monk", "bool", default=False),
    Field("employment_status", "code", default="inactive", codes=codes.EMPLOYMENT_STATUSES),
    Field("employment_type", "code", codes=codes.EMPLOYMENT_TYPES),
    Field("employer_type", "code", codes=codes.EMPLOYER_TYPES),
    Field("formal", "bool", default=False),
    Field("sector", "code", codes=codes.SECTORS),
    Field("earnings_monthly", "int", default=0),
    Field("declared_income_monthly", "int", default=0),
    Field("nssf_contribution_months", "int", default=0, high=1200),
    Field("cct_compliant", "bool", default=True),
    Field("facility_level", "code", default="district", codes=codes.FACILITY_LEVELS),
)
#: a column of JSON objects merged into ``extra`` with the columns the registry lacks
EXTRA = "extra"


def extra_columns(frame: pl.DataFrame, fields: tuple[Field, ...]) -> list[str]:
    """The columns of ``frame`` the registry has no field for (kept under ``extra``)."""
    known = {field.name for field in fields} | {EXTRA, ROW}
    return [name for name in frame.columns if name not in known]
