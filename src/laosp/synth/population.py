"""The generator's entry point: a whole synthetic population as Polars frames."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from laosp.indicators.catalogue import retirement_age
from laosp.reference import dictionary
from laosp.rules.pack import Pack
from laosp.synth.attributes import add_attributes
from laosp.synth.duplicates import chunked_like, plant_duplicates
from laosp.synth.employment import add_employment
from laosp.synth.households import make_households
from laosp.synth.names import assign_names, search_keys
from laosp.synth.persons import completed_years, make_persons

#: The tables' columns: the stored fields of the data dictionary, and on persons the
#: search keys kept beside the names (``laosp.registry.names``).
HOUSEHOLD_COLUMNS = tuple(f.name for f in dictionary.HOUSEHOLD_FIELDS if f.stored)
PERSON_COLUMNS = (
    *(f.name for f in dictionary.PERSON_FIELDS if f.stored),
    "name_key",
    "name_fold",
    "name_latin",
)
ROLE_CODES = {"other": 6}


@dataclass(frozen=True)
class Config:
    scale: float = 0.01
    seed: int = 20_250_101
    at: dt.date = dt.date(2026, 6, 30)
    duplicates: float = 0.0


@dataclass
class Population:
    """Frames with the tables' columns (``households``, ``persons``) and the generator's
    working columns (``people``: persons with age, household attributes, work roles)."""

    config: Config
    households: pl.DataFrame
    people: pl.DataFrame
    duplicate_pairs: pl.DataFrame
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def persons(self) -> pl.DataFrame:
        return self.people.select(PERSON_COLUMNS)


def generate_people(config: Config, pack: Pack) -> Population:
    """Households and persons (no enrolments yet): deterministic in ``config`` and the
    pack (its retirement age decides who can draw an old-age pension)."""
    rng = np.random.default_rng(config.seed)
    households = make_households(rng, config.scale, config.at)
    people = make_persons(rng, households, config.at)
    hh = households.frame.select("urban", "poor", "province_code", "district_code")
    people = pl.concat([people, hh.gather(people["hh_index"])], how="horizontal").with_columns(
        age=completed_years(pl.col("birth_date"), config.at)
    )
    people = add_attributes(rng, people, config.scale)
    people = add_employment(rng, people, config.scale, retirement_age(pack, config.at))
    given, family = assign_names(
        rng,
        (people["sex"] == "F").to_numpy(),
        people["hh_index"].to_numpy(),
        np.where(people["relationship"].to_numpy() == "other", 6, 0),
        households.frame.height,
    )
    people = people.with_columns(given_name=given, family_name=family)
    people, pairs = plant_duplicates(rng, people, households.frame, config.duplicates, config.at)
    key, fold, latin = search_keys(people["given_name"], people["family_name"])
    # in the chunks of ``people`` (originals, copies): a later select copies nothing
    people = people.with_columns(chunked_like(people, key, fold, latin))
    return Population(
        config=config,
        households=households.frame.select(HOUSEHOLD_COLUMNS),
        people=people,
        duplicate_pairs=pairs,
    )
