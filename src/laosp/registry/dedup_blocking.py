"""Candidate pairs for deduplication: exact blocking keys with a cap on block size, and
sorted-neighbourhood windows.

Comparing every pair of persons is quadratic, so only *candidate* pairs are scored: the
union of the pairs that each rule below proposes (as in splink's blocking rules).

* An **exact rule** pairs persons who agree on all its keys. A block larger than the cap
  is split by the rule's next split key (and so on); a block still too large when the
  split keys run out is skipped and counted, never silently dropped.
* A **window rule** sorts persons by its keys, then a sort key (the birth date), and pairs
  each person with the next ``window`` persons of the same block (the sorted
  neighbourhood method of Hernández and Stolfo). It proposes at most ``window`` pairs a
  person however large the block, and finds close birth dates across year boundaries.

The keys are ``blocking_keys``: the folded name (``name_fold``, or ``name_key``) with
doubled Latin letters single and a final "nh" made "n", so that the romanisation
variants that ``roman_fold`` leaves apart share a key, and its first and last words as
the given and family name. The work is linear in the number of persons for the window
rules and bounded by the cap for the exact ones.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import polars as pl

MAX_BLOCK = 500
_DOUBLED = [letter * 2 for letter in string.ascii_lowercase]
_SINGLE = list(string.ascii_lowercase)


@dataclass(frozen=True)
class ExactRule:
    """Pairs of persons equal on ``keys``; an oversized block is split by ``splits``."""

    name: str
    keys: tuple[str, ...]
    splits: tuple[str, ...] = ()


@dataclass(frozen=True)
class WindowRule:
    """Each person paired with the next ``window`` persons of the same ``keys`` block,
    sorted by ``order``."""

    name: str
    keys: tuple[str, ...]
    order: str
    window: int


Rule = ExactRule | WindowRule

#: Rules within one district (every rule has the district and, but for the national
#: id, the sex among its keys, so that the work can run district by district).
DISTRICT_RULES: tuple[Rule, ...] = (
    ExactRule("national id", ("district_code", "national_id"), ("sex", "birth_year", "name")),
    ExactRule("birth date", ("district_code", "sex", "birth_date"), ("family", "given")),
    WindowRule("name, birth date", ("district_code", "sex", "name"), "birth_date", 3),
    WindowRule("family name, birth date", ("district_code", "sex", "family"), "birth_date", 3),
    WindowRule("given name, birth date", ("district_code", "sex", "given"), "birth_date", 3),
)
#: The one rule across districts: the same national id.
ACROSS_DISTRICTS_RULE = ExactRule("national id", ("national_id",), ("sex", "birth_year", "name"))


@dataclass
class BlockingStats:
    """What the blocking proposed and what the cap skipped."""

    candidates: int = 0
    skipped_blocks: int = 0
    skipped_persons: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    def add(self, other: BlockingStats) -> None:
        self.candidates += other.candidates
        self.skipped_blocks += other.skipped_blocks
        self.skipped_persons += other.skipped_persons
        for name, count in other.by_rule.items():
            self.by_rule[name] = self.by_rule.get(name, 0) + count


def blocking_keys(persons: pl.DataFrame) -> pl.DataFrame:
    """The columns the rules block on, with ``row``, the row number in ``persons``."""
    name = (
        pl.col("name_fold")
        .fill_null(pl.col("name_key"))
        .str.replace_many(_DOUBLED, _SINGLE)
        .str.replace_all(r"nh\b", "n")
    )
    words = name.str.split(" ")
    return persons.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        "person_id",
        "district_code",
        "sex",
        "birth_date",
        "national_id",
        birth_year=pl.col("birth_date").dt.year(),
        name=name,
        given=words.list.first(),
        family=words.list.last(),
    )


def _self_join(side: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    if side.is_empty():
        return pl.DataFrame(schema={"a": pl.UInt32, "b": pl.UInt32})
    side = side.select("row", *keys)
    joined = side.join(side, on=keys, suffix="_b", nulls_equal=True)
    return joined.filter(pl.col("row") < pl.col("row_b")).select(a="row", b="row_b")


def _exact_pairs(keyed: pl.DataFrame, rule: ExactRule, cap: int) -> tuple[pl.DataFrame, int, int]:
    """The pairs of ``rule``, the number of blocks skipped and of persons in them."""
    keys = list(rule.keys)
    splits = list(rule.splits)
    side = keyed.select("row", *rule.keys, *rule.splits).drop_nulls(rule.keys)
    pairs = []
    while True:
        side = side.with_columns(size=pl.len().over(keys)).filter(pl.col("size") > 1)
        pairs.append(_self_join(side.filter(pl.col("size") <= cap), keys))
        side = side.filter(pl.col("size") > cap)
        if side.is_empty() or not splits:
            break
        keys.append(splits.pop(0))
    skipped_blocks = side.select(keys).n_unique() if not side.is_empty() else 0
    return pl.concat(pairs), skipped_blocks, side.height


def _window_pairs(keyed: pl.DataFrame, rule: WindowRule) -> pl.DataFrame:
    """Each person and the next ``rule.window`` persons of the same block. Ties in the
    sort key are broken by ``person_id``, so the pairs do not depend on row order."""
    side = (
        keyed.select("row", "person_id", *rule.keys, rule.order)
        .drop_nulls(rule.keys)
        .sort([*rule.keys, rule.order, "person_id"], nulls_last=True)
        .select("row", block=pl.struct(rule.keys).rle_id())
    )
    pairs = [
        side.select(
            a=pl.col("row"),
            b=pl.col("row").shift(-step),
            same=pl.col("block") == pl.col("block").shift(-step),
        )
        .filter(pl.col("same"))
        .select("a", "b")
        for step in range(1, rule.window + 1)
    ]
    return pl.concat(pairs)


def candidate_pairs(
    persons: pl.DataFrame, rules: tuple[Rule, ...] = DISTRICT_RULES, cap: int = MAX_BLOCK
) -> tuple[pl.DataFrame, BlockingStats]:
    """Distinct candidate pairs ``(a, b)``, row numbers in ``persons`` with ``a < b``."""
    keyed = blocking_keys(persons)
    stats = BlockingStats()
    pairs = []
    for rule in rules:
        if isinstance(rule, ExactRule):
            found, skipped_blocks, skipped_persons = _exact_pairs(keyed, rule, cap)
            stats.skipped_blocks += skipped_blocks
            stats.skipped_persons += skipped_persons
        else:
            found = _window_pairs(keyed, rule)
        stats.by_rule[rule.name] = stats.by_rule.get(rule.name, 0) + found.height
        pairs.append(found)
    a, b = pl.col("a").cast(pl.UInt64), pl.col("b").cast(pl.UInt64)
    pair = pl.min_horizontal(a, b) * (1 << 32) + pl.max_horizontal(a, b)
    unique = (
        pl.concat(pairs)
        .select(pair.unique().alias("pair"))
        .select(
            a=(pl.col("pair") // (1 << 32)).cast(pl.UInt32),
            b=(pl.col("pair") % (1 << 32)).cast(pl.UInt32),
        )
    )
    stats.candidates = unique.height
    return unique, stats
