"""All indicators with a province breakdown on a registry of national size.

The frames are generated here with NumPy (sizes of the synthetic registry at scale 1.0:
7.8 M persons, 1.66 M households, ~8 M enrolments, ~4 M contributions, ~1 M payments),
so the figure measures the indicator engine alone, from the loaded snapshot. Like
``load_snapshot``, the frames get their integer row keys (``with_row_keys``) before the
timed runs; that step is timed on its own (``row_keys_s``, part of loading).
Options: ``date=YYYY-MM-DD`` (reference date), ``seed=N``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from benchmarks.registry import BenchmarkContext, Figures, benchmark, peak_memory_mb, timed
from laosp.indicators.engine import compute_indicators
from laosp.indicators.frames import Frames
from laosp.indicators.gaps import gap_list
from laosp.reference.admin_units import district_codes
from laosp.registry.snapshot import Snapshot, with_row_keys
from laosp.rules.pack import load_pack

PERSONS = 7_800_000
HOUSEHOLDS = 1_660_000


def _ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    return pl.select(pl.format(prefix + "{}", pl.Series(numbers))).to_series()


def _days(rng: np.random.Generator, start: dt.date, end: dt.date, size: int) -> pl.Series:
    offsets = rng.integers(0, (end - start).days + 1, size)
    return pl.Series(np.datetime64(start) + offsets.astype("timedelta64[D]")).cast(pl.Date)


def _choice(rng: np.random.Generator, values: list[str], p: list[float], size: int) -> pl.Series:
    codes = pl.Series(rng.choice(len(values), size, p=p))
    return codes.replace_strict(list(range(len(values))), values, return_dtype=pl.String)


def _where(mask: np.ndarray, values: pl.Series) -> pl.Series:
    """``values`` where ``mask``, null elsewhere."""
    return pl.select(pl.when(pl.Series(mask)).then(values)).to_series()


def _registry(scale: float, at: dt.date, seed: int) -> Frames:
    rng = np.random.default_rng(seed)
    n_households = int(HOUSEHOLDS * scale)
    n_persons = int(PERSONS * scale)
    households = pl.DataFrame(
        {
            "household_id": _ids("H", np.arange(n_households)),
            "district_code": pl.Series(
                np.asarray(sorted(district_codes()))[rng.integers(0, 148, n_households)]
            ),
            "village_code": None,
            "village_name": _choice(
                rng, ["Ban Phonxay", "Ban Nongbua", "Ban Naxai"], [0.4, 0.3, 0.3], n_households
            ),
            "urban": rng.random(n_households) < 0.33,
            "poor": rng.random(n_households) < 0.183,
        }
    )
    home = np.concatenate(
        [np.arange(n_households), rng.integers(0, n_households, n_persons - n_households)]
    )
    employment = _choice(
        rng, ["employed", "unemployed", "inactive"], [0.27, 0.008, 0.722], n_persons
    )
    is_employed = (employment == "employed").to_numpy()
    has_mother = rng.random(n_persons) < 0.3
    persons = pl.DataFrame(
        {
            "person_id": _ids("P", np.arange(n_persons)),
            "household_id": _ids("H", home),
            "relationship": pl.Series(np.arange(n_persons) < n_households).replace_strict(
                [True, False], ["head", "other"], return_dtype=pl.String
            ),
            "given_name": _choice(rng, ["Souk", "Noy", "Bounmy", "Keo"], [0.25] * 4, n_persons),
            "family_name": _choice(rng, ["Phommasane", "Sisavath"], [0.5, 0.5], n_persons),
            "sex": _choice(rng, ["F", "M"], [0.499, 0.501], n_persons),
            "pregnant": pl.repeat(False, n_persons, eager=True),
            "pregnancy_month": pl.repeat(None, n_persons, dtype=pl.Int32, eager=True),
            "birth_date": _days(rng, dt.date(1935, 1, 1), at, n_persons),
            "disability": _choice(
                rng, ["none", "moderate", "severe"], [0.94, 0.032, 0.028], n_persons
            ),
            "employment_status": employment,
            "employer_type": _where(
                is_employed & (rng.random(n_persons) < 0.15), pl.Series(["public"] * n_persons)
            ),
            "formal": is_employed & (rng.random(n_persons) < 0.136),
            "sector": _where(
                is_employed,
                _choice(
                    rng, ["agriculture", "industry", "services"], [0.49, 0.12, 0.39], n_persons
                ),
            ),
            "mother_id": _where(has_mother, _ids("P", rng.integers(0, n_persons, n_persons))),
        }
    )
    # enrolments: nhi for 94.5 % of persons, social security for 354 k, MECG, CCT, pensions
    nhi = np.flatnonzero(rng.random(n_persons) < 0.945)
    nssf = rng.choice(n_persons, int(354_000 * scale), replace=False)
    mecg = rng.choice(n_persons, int(60_000 * scale), replace=False)
    pensioners = rng.choice(n_persons, int(60_000 * scale), replace=False)
    cct = rng.choice(n_households, int(30_000 * scale), replace=False)
    person_ids = np.concatenate([nhi, nssf, mecg, pensioners])
    schemes = pl.Series(
        ["nhi", "nssf_private", "mecg", "nssf_public", "cct"], dtype=pl.String
    ).gather(np.repeat(np.arange(5), [nhi.size, nssf.size, mecg.size, pensioners.size, cct.size]))
    n_person_enrolments = person_ids.size
    n_enrolments = n_person_enrolments + cct.size
    enrolments = pl.DataFrame(
        {
            "id": np.arange(1, n_enrolments + 1),
            "scheme": schemes,
            "person_id": pl.concat(
                [_ids("P", person_ids), pl.Series([None] * cct.size, dtype=pl.String)]
            ),
            "household_id": pl.concat(
                [pl.Series([None] * n_person_enrolments, dtype=pl.String), _ids("H", cct)]
            ),
            "status": _choice(
                rng, ["active", "suspended", "exited"], [0.95, 0.02, 0.03], n_enrolments
            ),
            "start_date": _days(rng, dt.date(2015, 1, 1), at, n_enrolments),
            "end_date": pl.Series([None] * n_enrolments, dtype=pl.Date),
        }
    )
    members = np.arange(nhi.size + 1, nhi.size + nssf.size + 1)
    contributions = pl.DataFrame(
        {
            "enrolment_id": np.repeat(members, 12),
            "amount_paid": rng.choice([0, 250_000], members.size * 12, p=[0.1, 0.9]),
            "paid_on": _days(rng, dt.date(at.year - 1, 1, 1), at, members.size * 12),
        }
    )
    pension_ids = np.arange(n_person_enrolments - pensioners.size + 1, n_person_enrolments + 1)
    mecg_ids = np.arange(nhi.size + nssf.size + 1, nhi.size + nssf.size + mecg.size + 1)
    paid_enrolments = np.concatenate([np.repeat(pension_ids, 12), np.repeat(mecg_ids, 6)])
    payments = pl.DataFrame(
        {
            "enrolment_id": paid_enrolments,
            "function": pl.Series(
                np.where(paid_enrolments <= mecg_ids[-1], "maternity", "old_age").tolist(),
                dtype=pl.String,
            ),
            "status": _choice(rng, ["paid", "scheduled"], [0.97, 0.03], paid_enrolments.size),
            "paid_on": _days(rng, dt.date(at.year - 1, 1, 1), at, paid_enrolments.size),
        }
    )
    return Frames(persons, households, enrolments, contributions, payments)


@benchmark("indicators")
def bench_indicators(context: BenchmarkContext) -> Figures:
    at = dt.date.fromisoformat(context.options.get("date", "2025-06-30"))
    with timed() as generated:
        frames = _registry(context.scale, at, int(context.options.get("seed", "1")))
    with timed() as keyed:
        loaded = with_row_keys(Snapshot(**vars(frames)))
    frames = Frames(**vars(loaded))
    pack = load_pack()
    with timed() as national:
        compute_indicators(frames, at, pack=pack)
    with timed() as by_province:
        result = compute_indicators(frames, at, ("province",), pack=pack)
    with timed() as by_district_sex_age:
        compute_indicators(frames, at, ("district", "sex", "age_group"), pack=pack)
    with timed() as uncovered:
        listed = gap_list(frames, at, None, pack=pack)
    at_least_one = result.filter(pl.col("indicator") == "sdg131.at_least_one")
    return {
        "persons": frames.persons.height,
        "households": frames.households.height,
        "enrolments": frames.enrolments.height,
        "contributions": frames.contributions.height,
        "benefit_payments": frames.benefit_payments.height,
        "generate_s": generated.seconds,
        "row_keys_s": keyed.seconds,
        "all_indicators_national_s": national.seconds,
        "all_indicators_by_province_s": by_province.seconds,
        "all_indicators_by_district_sex_age_s": by_district_sex_age.seconds,
        "uncovered_list_s": uncovered.seconds,
        "uncovered_persons": listed.height,
        "at_least_one_national_ratio": int(at_least_one["numerator"].sum())
        / int(at_least_one["denominator"].sum()),
        "peak_memory_mb": peak_memory_mb(),
    }
