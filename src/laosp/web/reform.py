"""The dashboard's reform page: change one parameter of the pack from a date and see who
gains and who loses, by district and scheme (``/rules/diff`` and its JSON twin)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import HTMLResponse

from laosp.access.permissions import Action, allows, area_of
from laosp.access.roles import Principal
from laosp.api.aggregates import reference_date
from laosp.api.deps import MaybePrincipal, PrincipalDep, StateDep
from laosp.api.params import ReferenceDate
from laosp.api.routers.rules_diff import reform_view
from laosp.api.state import AppState
from laosp.presentation.i18n import LANGS, Formatter
from laosp.reference.admin_units import districts, provinces
from laosp.registry.errors import ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.rules.params import Parameter
from laosp.web.pages import NAMED_ROWS_SHOWN
from laosp.web.views import BlankOrDistrict, page_principal, render

router = APIRouter(include_in_schema=False)
ParameterQuery = Annotated[str | None, Query(max_length=120), PlainText]
ValueQuery = Annotated[str | None, Query(max_length=2000), PlainText]


#: How a value of each unit of the pack's parameters reads: the words after the number.
SHARE_OF = {"share of insured earnings": "labels.of_earnings",
            "share of declared income": "labels.of_declared_income"}  # fmt: skip
AFTER_NUMBER = {"months": "labels.months", "years": "labels.years"}


def place_choices() -> list[dict[str, Any]]:
    """The provinces, each with its districts, by name in both languages, for the
    pages' place pickers."""
    in_province: dict[str, list[dict[str, str]]] = {}
    for row in districts():
        place = {"code": row.code, "name_en": row.name_en, "name_lo": row.name_lo}
        in_province.setdefault(row.code[:2], []).append(place)
    return [
        {"code": row.code, "name_en": row.name_en, "name_lo": row.name_lo,
         "districts": in_province.get(row.code, [])}
        for row in provinces()
    ]  # fmt: skip


def _place_names() -> dict[str, tuple[str, str]]:
    """Provinces' and districts' names by code (``13``, ``1703``)."""
    names = {row.code: (row.name_en, row.name_lo) for row in provinces()}
    return names | {row.code: (row.name_en, row.name_lo) for row in districts()}


def _one(value: Any, unit: str, text: Formatter) -> str:
    """One value of a parameter in words: ``150.000 ກີບ ຕໍ່ເດືອນ``, ``5,5% of insured
    earnings``, ``60 years``; a place's code by its name."""
    if isinstance(value, bool):
        return text("yes") if value else text("no")
    if isinstance(value, str):
        names = _place_names().get(value)
        return value if names is None else text.pair(*names)
    if unit == "LAK/month":
        return f"{text.kip(value)} {text('labels.per_month')}"
    if unit == "LAK":
        return text.kip(value)
    if unit in SHARE_OF:
        decimals = 1 if round(value * 1000, 9).is_integer() else 2
        return f"{text.percent(value, decimals)} {text(SHARE_OF[unit])}"
    if unit in AFTER_NUMBER:
        return f"{text.number(value)} {text(AFTER_NUMBER[unit])}"
    if unit == "month of pregnancy":
        return text("labels.month_of_pregnancy").format(n=text.number(value))
    return f"{text.number(value, 0 if float(value).is_integer() else 2)} {unit}".strip()


def value_text(parameter: Parameter, value: Any, text: Formatter) -> str:
    """A parameter's value in words in ``text``'s language: a lookup's value per code by
    the code's name (``Female: 60 years``), a list's items by their names."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(
            f"{text.code(parameter.key or '', str(code))}: {_one(each, parameter.unit, text)}"
            for code, each in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_one(each, parameter.unit, text) for each in value)
    return _one(value, parameter.unit, text)


def parameters(state: AppState, at: dt.date) -> list[dict[str, Any]]:
    """The pack's parameters for the form's picker: name, what it is and its value now,
    in words in each language (``label_en``/``label_lo``, ``value_en``/``value_lo``)."""
    found = []
    texts = {lang: Formatter(lang) for lang in LANGS}
    for name, parameter in sorted(state.pack.parameters.items()):
        now = parameter.value_at(at)
        value = None if now is None else now.value
        found.append(
            {
                "name": name,
                "description": parameter.description,
                "unit": parameter.unit,
                "value": value,
                **{f"label_{lang}": parameter.label(lang) for lang in LANGS},
                **{f"value_{lang}": value_text(parameter, value, texts[lang]) for lang in LANGS},
            }
        )
    return found


def page_data(
    state: AppState,
    principal: Principal,
    parameter: str | None,
    value: str | None,
    start: dt.date | None,
    at: dt.date | None,
    district: str | None,
) -> dict[str, Any]:
    """The form, and the diff once a parameter and a value are given; the named rows for
    a district inside the area of a role that may see names."""
    first = reference_date(start)
    when = at or first
    data: dict[str, Any] = {
        "parameters": parameters(state, when),
        "parameter": parameter,
        "value": value,
        "from": first.isoformat(),
        "date": when.isoformat(),
        "district": district,
        "places": place_choices(),
        "diff": None,
    }
    if parameter and value is not None and value.strip():
        named = (
            district is not None
            and allows(principal, Action.read_persons)
            and area_of(principal).contains(district)
        )
        data["diff"] = reform_view(
            state,
            principal,
            {parameter: value},
            first,
            when,
            district,
            named_rows=named,
            limit=NAMED_ROWS_SHOWN,
        )
    return data


#: The form's fields an error of the API can name (``overrides.<parameter>`` aside).
FIELD_KEYS = {"date": "reference_date", "from": "reform_from", "district": "district",
              "overrides": "new_value", "parameter": "parameter", "value": "new_value"}  # fmt: skip


def field_names(state: AppState, field: str) -> dict[str, str]:
    """The name of the field an error names, in both languages: a parameter by what it
    is (``overrides.mecg.benefit_monthly``), a field of the form by its label."""
    parameter = state.pack.parameters.get(field.removeprefix("overrides."))
    if parameter is not None:
        return {f"field_{lang}": parameter.label(lang) for lang in LANGS}
    key = FIELD_KEYS.get(field.split(".")[0])
    return {f"field_{lang}": Formatter(lang)(key) if key else field for lang in LANGS}


@router.get("/rules/diff.json")
def reform_json(
    state: StateDep,
    principal: PrincipalDep,
    parameter: ParameterQuery = None,
    value: ValueQuery = None,
    start: Annotated[ReferenceDate, Query(alias="from")] = None,
    date: ReferenceDate = None,
    district: BlankOrDistrict = None,
) -> Any:
    return page_data(state, principal, parameter, value, start, date, district or None)


@router.get("/rules/diff", response_class=HTMLResponse)
def reform_page(
    request: Request,
    state: StateDep,
    principal: MaybePrincipal,
    parameter: ParameterQuery = None,
    value: ValueQuery = None,
    start: Annotated[ReferenceDate, Query(alias="from")] = None,
    date: ReferenceDate = None,
    district: BlankOrDistrict = None,
) -> HTMLResponse:
    who = page_principal(principal)
    try:
        data = page_data(state, who, parameter, value, start, date, district or None)
    except ValidationFailed as error:
        data = page_data(state, who, None, None, start, date, district or None)
        errors = [e.as_dict() | field_names(state, e.field) for e in error.errors]
        data.update(parameter=parameter, value=value, errors=errors)
        return render(request, "rules_diff.html", data, who, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return render(request, "rules_diff.html", data, who)
