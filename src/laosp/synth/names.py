"""Plausible Lao names, in Lao script or romanised, with the spelling variation real
registers show, and their search keys.

Names are drawn from short lists (Lao script beside a common romanisation). A household's
names are written in one script (the enumerator's habit). Variation is applied per person
as a bit mask of rules; the strings are built on the few distinct (name, mask) pairs and
gathered back, so the cost does not grow with the population.

``persons.name_key``, ``name_fold`` and ``name_latin`` come from ``laosp.registry.names``
itself, applied to the distinct given and family names: all three work word by word, so
the key of "given family" is the key of the given name, a space and the key of the
family name.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from laosp.registry.names import latin_key, normalise, per_distinct, roman_fold
from laosp.synth.sampling import Array

MALE = (
    ("ສົມພອນ", "Somphone"), ("ບຸນມີ", "Bounmy"), ("ສີສະຫວາດ", "Sisavath"),
    ("ຄຳພອນ", "Khamphone"), ("ບຸນເພັງ", "Bounpheng"), ("ທອງສີ", "Thongsy"),
    ("ສົມສັກ", "Somsack"), ("ບົວພັນ", "Bouaphanh"), ("ຄຳແພງ", "Khampheng"),
    ("ສີສຸກ", "Sisouk"), ("ອານຸສອນ", "Anousone"), ("ບຸນທັນ", "Bounthanh"),
    ("ສຸກສະຫວັນ", "Souksavanh"), ("ພູວົງ", "Phouvong"), ("ສົມບັດ", "Sombath"),
    ("ຄຳຫຼ້າ", "Khamla"), ("ທອງພັນ", "Thongphanh"), ("ສີພັນ", "Siphanh"),
    ("ແກ້ວ", "Keo"), ("ວັນໄຊ", "Vanxay"), ("ໄຊຍະສິດ", "Xayasith"), ("ສອນໄຊ", "Sonexay"),
    ("ພອນໄຊ", "Phonexay"), ("ຄຳສິງ", "Khamsing"), ("ບຸນຄົງ", "Bounkong"),
    ("ດາວເຮືອງ", "Daoheuang"), ("ເພັດ", "Phet"), ("ຄຳເຜີຍ", "Khampheuy"),
)  # fmt: skip
FEMALE = (
    ("ມະນີວອນ", "Manivone"), ("ແສງຈັນ", "Sengchanh"), ("ບົວຄຳ", "Bouakham"),
    ("ຈັນທະວີ", "Chanthavy"), ("ສຸດາລາ", "Soudala"), ("ວຽງຄຳ", "Viengkham"),
    ("ຄຳແສງ", "Khamseng"), ("ນ້ອຍ", "Noy"), ("ອຳພອນ", "Amphone"), ("ມາລີ", "Maly"),
    ("ວັນນາ", "Vanna"), ("ສີດາ", "Sida"), ("ດາລາ", "Dala"), ("ແສງດາວ", "Sengdao"),
    ("ຄຳມະນີ", "Khammany"), ("ປານີ", "Pany"), ("ວິໄລວັນ", "Vilayvanh"),
    ("ສຸກສະໄໝ", "Souksamay"), ("ພອນສະຫວັນ", "Phonesavanh"), ("ນາລີ", "Naly"),
    ("ທິບພະວັນ", "Thipphavanh"), ("ລັດສະໝີ", "Latsamy"), ("ສົມຈັນ", "Somchanh"),
    ("ແກ້ວກາ", "Keoka"), ("ບຸນເຫຼືອ", "Bounleua"), ("ຄຳຜຸຍ", "Khamphouy"),
)  # fmt: skip
FAMILY = (
    ("ພົມມະສອນ", "Phommasone"), ("ສີສຸລິດ", "Sisoulith"), ("ວົງສະຫວັນ", "Vongsavanh"),
    ("ແກ້ວມະນີ", "Keomany"), ("ສີຫາລາດ", "Sihalath"), ("ພິລາວົງ", "Philavong"),
    ("ສຸວັນນະວົງ", "Souvannavong"), ("ໄຊຍະວົງ", "Xayavong"), ("ອິນທະວົງ", "Inthavong"),
    ("ຈັນທະວົງ", "Chanthavong"), ("ບຸບຜາ", "Bouppha"), ("ພົມວິຫານ", "Phomvihane"),
    ("ສີປະເສີດ", "Sipaseuth"), ("ດວງມາລາ", "Douangmala"), ("ແສງສຸລິຍາ", "Sengsouliya"),
    ("ມະໂນທຳ", "Manotham"), ("ວິລະວົງ", "Vilavong"), ("ສີລາວົງ", "Silavong"),
    ("ຄຳວົງສາ", "Khamvongsa"), ("ພັນທະວົງ", "Phanthavong"), ("ໄຊຍະສານ", "Xayasane"),
    ("ລາດສະວົງ", "Latsavong"), ("ສຸລິວົງ", "Soulivong"), ("ສີວົງໄຊ", "Sivongxay"),
    ("ບຸນຍະວົງ", "Bounyavong"), ("ພົມມະຈັນ", "Phommachanh"), ("ອິນທະລາດ", "Inthalath"),
    ("ວົງພະຈັນ", "Vongphachanh"), ("ສີທິລາດ", "Sithilath"), ("ແກ້ວວົງສາ", "Keovongsa"),
    ("ດາລາວົງ", "Dalavong"), ("ຄຳພູວົງ", "Khamphouvong"), ("ສີສົມບັດ", "Sisombath"),
    ("ທຳມະວົງ", "Thammavong"), ("ມະຫາໄຊ", "Mahaxay"), ("ຈັນທະລັງສີ", "Chanthalangsy"),
    ("ພົງສະຫວັນ", "Phongsavanh"), ("ວັນນະວົງ", "Vannavong"), ("ຫຼວງລາດ", "Luanglath"),
    ("ເພັດສະຫວັນ", "Phetsavanh"),
)  # fmt: skip

#: Romanisation variants seen in registers, one bit each (applied to lower case).
ROMAN_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "p"),
    ("x", "s"),
    ("ou", "u"),
    ("(mm|nn|pp|ll|ss|tt)", "double"),  # double letters: Phommasone -> Phomasone
    ("nh\\b", "n"),  # final nh: Vongsavanh -> Vongsavan
    ("one\\b", "on"),  # Somphone -> Somphon
    ("y\\b", "i"),  # Bounmy -> Bounmi
    ("v", "w"),
)
ROMAN_RULE_P = 0.12
DOUBLES = ["mm", "nn", "pp", "ll", "ss", "tt"]
#: Lao tone marks (mai ek .. mai catawa) are what writers leave out most.
TONE_MARKS = "[\u0ec8-\u0ecb]"
LAO_SCRIPT_SHARE = 0.6
UPPER_FAMILY_SHARE = 0.1


def _variants(names: pl.Series, masks: Array, lao: bool) -> pl.Series:
    """The written form of ``names`` under each row's variation ``masks``."""
    frame = pl.DataFrame({"name": names, "mask": masks})
    if lao:
        return frame.select(
            pl.when((pl.col("mask") & 1) > 0)
            .then(pl.col("name").str.replace_all(TONE_MARKS, ""))
            .otherwise(pl.col("name"))
        ).to_series()
    frame = frame.with_columns(pl.col("name").str.to_lowercase())
    for bit, (pattern, replacement) in enumerate(ROMAN_RULES):
        varied = (
            pl.col("name").str.replace_many(DOUBLES, [d[0] for d in DOUBLES])
            if replacement == "double"
            else pl.col("name").str.replace_all(pattern, replacement)
        )
        frame = frame.with_columns(
            name=pl.when((pl.col("mask") & (1 << bit)) > 0).then(varied).otherwise("name")
        )
    upper = (pl.col("mask") & (1 << len(ROMAN_RULES))) > 0
    return frame.select(
        pl.when(upper)
        .then(pl.col("name").str.to_uppercase())
        .otherwise(pl.col("name").str.to_titlecase())
    ).to_series()


def written(
    rng: np.random.Generator,
    index: Array,
    table: tuple[tuple[str, str], ...],
    lao: Array,
    masks: Array,
) -> pl.Series:
    """Names of ``table[index]`` in Lao script where ``lao``, romanised elsewhere, with the
    variation ``masks``; computed on distinct (name, script, mask) triples."""
    key = (index.astype(np.int64) * 2 + lao.astype(np.int64)) * 1024 + masks
    present = np.zeros(len(table) * 2048, dtype=np.bool_)
    present[key] = True
    unique = np.flatnonzero(present)
    inverse = (np.cumsum(present) - 1)[key]
    u_index = unique // 2048
    u_lao = (unique // 1024) % 2 == 1
    u_mask = unique % 1024
    lao_names = pl.Series([row[0] for row in table]).gather(u_index)
    roman_names = pl.Series([row[1] for row in table]).gather(u_index)
    values = pl.select(
        pl.when(pl.Series(u_lao))
        .then(_variants(lao_names, u_mask, lao=True))
        .otherwise(_variants(roman_names, u_mask, lao=False))
    ).to_series()
    return values.gather(inverse)


def roman_masks(rng: np.random.Generator, n: int, upper_share: float = 0.0) -> Array:
    bits = rng.random((n, len(ROMAN_RULES))) < ROMAN_RULE_P
    masks = (bits * (1 << np.arange(len(ROMAN_RULES)))).sum(axis=1)
    upper = rng.random(n) < upper_share
    result: Array = (masks + upper * (1 << len(ROMAN_RULES))).astype(np.int64)
    return result


def assign_names(
    rng: np.random.Generator, female: Array, hh: Array, role: Array, households: int
) -> tuple[pl.Series, pl.Series]:
    """Given and family names; household members share the head's family name, except
    ``other`` members (role 6)."""
    n = female.size
    given_m = rng.integers(0, len(MALE), n)
    given_f = rng.integers(0, len(FEMALE), n)
    family_hh = rng.integers(0, len(FAMILY), households)
    family = np.where(role == 6, rng.integers(0, len(FAMILY), n), family_hh[hh])
    lao = (rng.random(households) < LAO_SCRIPT_SHARE)[hh]
    tone_drop = (rng.random(n) < 0.25).astype(np.int64)
    given_mask = np.where(lao, tone_drop, roman_masks(rng, n))
    family_mask = np.where(lao, tone_drop, roman_masks(rng, n, UPPER_FAMILY_SHARE))
    male_names = written(rng, given_m, MALE, lao, given_mask)
    female_names = written(rng, given_f, FEMALE, lao, given_mask)
    given = pl.select(
        pl.when(pl.Series(female)).then(female_names).otherwise(male_names)
    ).to_series()
    return given.alias("given_name"), written(rng, family, FAMILY, lao, family_mask).alias(
        "family_name"
    )


def search_keys(given: pl.Series, family: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """``name_key``, ``name_fold`` and ``name_latin`` as ``laosp.registry.names`` computes
    them."""
    key = per_distinct(given, normalise) + " " + per_distinct(family, normalise)
    fold = per_distinct(given, roman_fold) + " " + per_distinct(family, roman_fold)
    latin = per_distinct(given, latin_key) + " " + per_distinct(family, latin_key)
    return key.alias("name_key"), fold.alias("name_fold"), latin.alias("name_latin")
