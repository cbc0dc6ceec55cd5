"""The scenario schema: every assumption of a projection, validated with Pydantic.

A *path* is either one number (constant over the years) or a mapping year → value,
linearly interpolated between the years given and held constant outside them. Every
assumption block carries a ``source`` (a citation, or the word ``illustrative``).
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Path = float | dict[int, float]

LabourGroup = Literal[
    "employed",
    "formal",
    "informal",
    "public_employee",
    "formal_private",
    "informal_agriculture",
    "informal_non_agriculture",
]
Indexation = Literal["cpi", "wages", "none"]
SchemeKind = Literal["cash", "contributory", "health"]
Sector = Literal["agriculture", "industry", "services"]
SECTORS: tuple[Sector, ...] = ("agriculture", "industry", "services")


def path_values(path: Path) -> list[float]:
    return [float(path)] if isinstance(path, int | float) else [float(v) for v in path.values()]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    source: str = Field(min_length=1, description="a citation, or 'illustrative'")


class Value(Sourced):
    """One assumption that may change over the years."""

    value: Path


class Share(Value):
    """A path of shares, each in [0, 1]."""

    @field_validator("value")
    @classmethod
    def _in_unit_interval(cls, value: Path) -> Path:
        if any(not 0.0 <= v <= 1.0 for v in path_values(value)):
            raise ValueError("every share must lie between 0 and 1")
        return value


#: Between the English and the Lao of a scenario's title: ``"English / ລາວ"``.
TITLE_SEPARATOR = " / "


class ScenarioInfo(Strict):
    """``name`` is the scenario's id (the file's stem for a shipped one); ``title`` its
    name for readers, ``"English / Lao"`` (one of the two alone reads in both)."""

    name: str
    title: str = ""
    description: str = ""
    base_year: int = Field(ge=1990, le=2100)
    end_year: int = Field(ge=1990, le=2200)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_year < self.base_year:
            raise ValueError("end_year must not precede base_year")
        return self

    @property
    def titles(self) -> tuple[str, str]:
        """The title in English and in Lao; the id where there is no title."""
        english, _, lao = (self.title or self.name).rpartition(TITLE_SEPARATOR)
        return (english or lao).strip(), lao.strip()

    def label(self, lang: str) -> str:
        """The title in ``lang`` ("lo" or "en")."""
        english, lao = self.titles
        return lao if lang == "lo" else english


class IllustrativeBase(Sourced):
    """A smooth national age-sex distribution matched to broad-group shares."""

    total: float = Field(gt=0)
    share_0_14: float = Field(gt=0, lt=1)
    share_15_64: float = Field(gt=0, lt=1)
    share_65_plus: float = Field(gt=0, lt=1)
    female_share: float = Field(gt=0, lt=1)
    by_province: bool = True

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Self:
        if abs(self.share_0_14 + self.share_15_64 + self.share_65_plus - 1.0) > 1e-6:
            raise ValueError("share_0_14 + share_15_64 + share_65_plus must equal 1")
        return self


class TableRow(Strict):
    province: str | None = None
    sex: Literal["F", "M"]
    age: int = Field(ge=0)
    count: float = Field(ge=0)


class BasePopulation(Strict):
    kind: Literal["illustrative", "table", "registry"] = "illustrative"
    illustrative: IllustrativeBase | None = None
    table: list[TableRow] | None = None
    table_source: str | None = None

    @model_validator(mode="after")
    def _has_its_data(self) -> Self:
        if self.kind == "illustrative" and self.illustrative is None:
            raise ValueError("kind 'illustrative' needs an 'illustrative' block")
        if self.kind == "table" and not (self.table and self.table_source):
            raise ValueError("kind 'table' needs 'table' rows and a 'table_source'")
        return self


class Fertility(Sourced):
    tfr: Path
    mean_age: float = Field(default=28.5, ge=18, le=40)
    sex_ratio_at_birth: float = Field(default=1.05, gt=0.8, lt=1.3)


class Mortality(Sourced):
    e0_male: Path
    e0_female: Path

    @field_validator("e0_male", "e0_female")
    @classmethod
    def _plausible(cls, value: Path) -> Path:
        if any(not 20.0 <= v <= 95.0 for v in path_values(value)):
            raise ValueError("life expectancy at birth must lie between 20 and 95 years")
        return value


class Migration(Sourced):
    net_per_year: Path = 0.0


class Demography(Strict):
    base: BasePopulation
    fertility: Fertility
    mortality: Mortality
    migration: Migration


class AgeBandRate(Strict):
    age: tuple[int, int]
    male: float = Field(ge=0, le=1)
    female: float = Field(ge=0, le=1)


class Labour(Sourced):
    participation: list[AgeBandRate]
    unemployment_rate: float = Field(ge=0, le=1)
    sector_shares: dict[Sector, float]
    informal_share_by_sector: dict[Sector, float]
    public_share: float = Field(ge=0, le=1, description="public employees / employed")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if set(self.sector_shares) != set(SECTORS) or set(self.informal_share_by_sector) != set(
            SECTORS
        ):
            raise ValueError(f"sector_shares and informal_share_by_sector need {SECTORS}")
        if abs(sum(self.sector_shares.values()) - 1.0) > 1e-6:
            raise ValueError("sector_shares must sum to 1")
        formal = sum(
            self.sector_shares[s] * (1 - self.informal_share_by_sector[s]) for s in SECTORS
        )
        if self.public_share > formal + 1e-9:
            raise ValueError("public_share exceeds the formal share of employment")
        return self


class Macro(Strict):
    gdp_nominal_base: Value
    gdp_real_growth: Value
    gdp_deflator_growth: Value
    cpi_inflation: Value
    real_wage_growth: Value
    government_expenditure_share: Share
    exchange_rate: Value


class Eligibility(Sourced):
    """Who is eligible: either cells of the projected population or a given number."""

    eligible: Path | None = None
    age: tuple[int, int] | None = None
    sex: Literal["F", "M"] | None = None
    provinces: list[str] | None = None
    labour: LabourGroup | None = None
    share: Path = 1.0

    @model_validator(mode="after")
    def _one_mode(self) -> Self:
        cells = (self.age, self.sex, self.provinces, self.labour)
        if self.eligible is not None and any(c is not None for c in cells):
            raise ValueError("give either 'eligible' (aggregate mode) or cell criteria")
        if self.age is not None and self.age[0] > self.age[1]:
            raise ValueError("age band must be [min, max] with min <= max")
        if any(not 0.0 <= v <= 1.0 for v in path_values(self.share)):
            raise ValueError("share must lie between 0 and 1")
        return self

    @property
    def aggregate(self) -> bool:
        return self.eligible is not None


class Benefit(Sourced):
    """For a scheme of the policy pack, ``amount`` comes from the pack unless the scenario
    replaces it with ``override: true`` (``laosp.projection.pack_link``)."""

    amount: Path = Field(description="LAK per beneficiary and period")
    per: Literal["month", "year"] = "month"
    indexation: Indexation = "cpi"
    override: bool = False

    @field_validator("amount")
    @classmethod
    def _not_negative(cls, value: Path) -> Path:
        if any(v < 0 for v in path_values(value)):
            raise ValueError("a benefit amount must not be negative")
        return value


class Contributions(Sourced):
    contributors: Eligibility
    take_up: Share
    insured_earnings_monthly: float = Field(ge=0)
    rate: float = Field(ge=0, le=1)
    subsidy_share: Share | None = None
    to_nhi_share: float = Field(default=0.0, ge=0, le=1)


class Health(Sourced):
    """Per-member unit costs of a health insurance fund (LAK a year, CPI-indexed)."""

    capitation_per_member: float = Field(ge=0)
    admissions_per_member: float = Field(ge=0)
    case_payment: float = Field(ge=0)
    copayment_per_member: float = Field(ge=0)
    government_transfer: float = Field(ge=0, description="base-year transfer, CPI-indexed")


class Financing(Sourced):
    external_share: Path = 0.0


class Scheme(Strict):
    name: str
    name_lo: str = ""
    kind: SchemeKind = "cash"
    enabled: bool = True
    start_year: int | None = None
    end_year: int | None = None
    eligibility: Eligibility
    take_up: Share
    benefit: Benefit | None = None
    health: Health | None = None
    admin_rate: Value
    contributions: Contributions | None = None
    financing: Financing

    @model_validator(mode="after")
    def _kind_blocks(self) -> Self:
        if self.kind == "health" and self.health is None:
            raise ValueError("a 'health' scheme needs a 'health' block")
        if self.kind != "health" and self.benefit is None:
            raise ValueError(f"a '{self.kind}' scheme needs a 'benefit' block")
        if self.kind != "contributory" and self.contributions is not None:
            raise ValueError("only a 'contributory' scheme has 'contributions'")
        return self

    def active(self, year: int) -> bool:
        after = self.start_year is None or year >= self.start_year
        return self.enabled and after and (self.end_year is None or year <= self.end_year)


class Fact(Strict):
    """Where one scenario value came from: the policy pack, an explicit override of a pack
    value, or the registry (``laosp project --from-db``)."""

    key: str  # the dotted scenario field, e.g. schemes.mecg.benefit.amount
    value: str  # as shown
    origin: Literal["pack", "override", "registry"]
    parameter: str = ""  # the pack parameter (or scheme field) behind it
    pack_value: str = ""  # the pack's value(s), for an override
    source: str

    def describe(self) -> str:
        """The text of the assumptions table's source column."""
        if self.origin == "override":
            return (
                f"override of pack value {self.pack_value} ({self.parameter}) / "
                f"ແທນຄ່າຂອງຊຸດນະໂຍບາຍ: {self.source}"
            )
        return self.source


class Provenance(Strict):
    """Filled by laosp when a scenario is loaded, never written by hand."""

    pack: str
    digest: str
    facts: list[Fact] = []


class Scenario(Strict):
    scenario: ScenarioInfo
    demography: Demography
    labour: Labour
    macro: Macro
    schemes: dict[str, Scheme]
    provenance: Provenance | None = None

    @model_validator(mode="after")
    def _one_health_fund(self) -> Self:
        health = [c for c, s in self.schemes.items() if s.kind == "health" and s.enabled]
        if len(health) > 1:
            raise ValueError(f"at most one enabled health scheme, found {health}")
        return self

    @property
    def years(self) -> range:
        return range(self.scenario.base_year, self.scenario.end_year + 1)
