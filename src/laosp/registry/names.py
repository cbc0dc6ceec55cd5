"""Search forms of person names, in Lao script and romanised.

``normalise`` turns a name (or a query) into the form stored in ``persons.name_key`` and
matched with SQL ``LIKE``. It forgives what people vary when they type a name:

* Unicode NFC; Latin letters case-folded and stripped of diacritics ("Phommasône" →
  "phommasone");
* Lao tone marks (U+0EC8–U+0ECB) and the cancellation mark (U+0ECC) removed — they are
  what users leave out ("ສົມພອນ" finds "ສົມພ່ອນ"); vowel signs are kept;
* Lao spelling variants folded: the subscript lo (U+0EBC) and ligatures ໜ/ໝ
  (U+0EDC/U+0EDD) become the two-letter spellings ຫລ/ຫນ/ຫມ, and "ໍ" + "າ" becomes "ຳ";
* Lao digits become ASCII digits; zero-width spaces and joiners (used in Lao text as
  line-break hints) are dropped; punctuation becomes a space; whitespace is collapsed.

``roman_fold`` is a second, coarser key for romanised names, because Lao names have no
single official romanisation: it applies, in order, ph→p, x→s, ou→u, w→v, then double
vowels to single, then removes a final "e" of a word of more than three letters and
makes a final "y" after a letter an "i" ("Xay" = "Sai", "Bounmy" = "Bunmi")
("Phommasone", "Pommason", "Phommasonh" differ only by "h": they are not folded
together). Lao-script text passes through unchanged.

``latin_key`` is the cross-script key (``persons.name_latin``): Lao script is romanised
(``laosp.registry.transliteration``, after the BGN/PCGN 1966 system) and the result, or
a name written in Latin letters, is folded harder than ``roman_fold`` so that a
romanisation and the Lao spelling meet: ph/kh/th → p/k/t, x → s, ou → u, w → v, j/tch
→ ch, ck/q/c → k, gn → y, r → l, ae → e, ie → ia, ai → ay, uea → eua, "nh" → n before
a consonant or at the end and → y before a vowel ("Bounnhang" = ບຸນຍັງ), kv → ku before a
vowel ("Khwang" = "Khouang"), a final "d" → t, the French mute "e" after a vowel and n/m
("Sone", "Phonesavanh") dropped, a final "y" after a consonant → i, "v" after a vowel
and not before one → o ("Kaew" = "Keo"), then doubled letters single. So "Souksavanh Phommachanh",
"Suksavan Phomachan" and "ສຸກສະຫວັນ ພົມມະຈັນ" all have the key "suksavan pomachan".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from laosp.registry.transliteration import transliterate

_TONE_MARKS = dict.fromkeys(range(0x0EC8, 0x0ECD))  # mai ek .. mai catawa, cancellation
_LAO_FOLDS = {
    0x0EBC: "\u0ea5",  # subscript lo -> lo
    0x0EDC: "\u0eab\u0e99",  # ho no ligature -> ho + no
    0x0EDD: "\u0eab\u0ea1",  # ho mo ligature -> ho + mo
    **{0x0ED0 + digit: str(digit) for digit in range(10)},  # Lao digits
    **dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD), ""),  # invisible
}
_LAO_BLOCK = range(0x0E80, 0x0F00)
_SPACES = re.compile(r"\s+")


def _strip_latin_marks(text: str) -> str:
    """Remove combining marks that follow non-Lao letters (Lao vowel signs are marks too,
    and must stay)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn" and ord(char) not in _LAO_BLOCK:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def normalise(text: str) -> str:
    """The search form of ``text`` (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TONE_MARKS).translate(_LAO_FOLDS)
    text = text.replace("\u0ecd\u0eb2", "\u0eb3")  # nikhahit + aa -> am
    text = _strip_latin_marks(text).casefold()
    text = "".join(" " if unicodedata.category(char)[0] in "PSZ" else char for char in text)
    return _SPACES.sub(" ", text).strip()


def name_key(given_name: str, family_name: str) -> str:
    """The value of ``persons.name_key``: given and family names, normalised."""
    return normalise(f"{given_name} {family_name}")


_ROMAN_RULES = (
    (re.compile(r"ph"), "p"),
    (re.compile(r"x"), "s"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"w"), "v"),
    (re.compile(r"([aeiou])\1+"), r"\1"),
    (re.compile(r"\b([a-z]{3,})e\b"), r"\1"),
    (re.compile(r"\B([a-z])y\b"), r"\1i"),
)


def roman_fold(text: str) -> str:
    """A coarser key that equates common variants of Lao romanisation (normalises
    first)."""
    folded = normalise(text)
    for pattern, replacement in _ROMAN_RULES:
        folded = pattern.sub(replacement, folded)
    return folded


def search_tokens(query: str) -> list[str]:
    """The words of a query, each to be found somewhere in the name key."""
    return [token for token in normalise(query).split(" ") if token]


_LATIN_RULES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"tch|j", "ch"),
        (r"ph", "p"),
        (r"kh", "k"),
        (r"th", "t"),
        (r"x", "s"),
        (r"ou", "u"),
        (r"w", "v"),
        (r"ck|q|c(?!h)", "k"),
        (r"gn", "y"),
        (r"r", "l"),
        (r"ae", "e"),
        (r"ie", "ia"),
        (r"ai", "ay"),
        (r"uea", "eua"),
        (r"nh(?![aeiouy])", "n"),
        (r"nh", "y"),
        (r"(?<=k)v(?=[aeiou])", "u"),
        (r"d\b", "t"),
        (r"(?<=[aeiou][nm])e(?![aeiouy])", ""),
        (r"\B(?<=[b-df-hj-np-tv-z])y\b", "i"),
        (r"(?<=[aeiou])v(?![aeiouy])", "o"),
        (r"([a-z])\1+", r"\1"),
    )
)


def latin_key(text: str) -> str:
    """The cross-script key: ``text`` normalised, its Lao script romanised, then folded
    (see the module docstring)."""
    folded = transliterate(normalise(text))
    for pattern, replacement in _LATIN_RULES:
        folded = pattern.sub(replacement, folded)
    return folded


def name_latin(given_name: str, family_name: str) -> str:
    """The value of ``persons.name_latin``."""
    return latin_key(f"{given_name} {family_name}")


def per_distinct(column: pl.Series, function: Callable[[str], str]) -> pl.Series:
    """``function`` of each value of a text column, called once per distinct value (names
    repeat heavily) and gathered back."""
    distinct = column.unique()
    mapped = pl.Series([function(value) for value in distinct.to_list()], dtype=pl.String)
    return column.replace_strict(distinct, mapped, return_dtype=pl.String)


@dataclass(frozen=True)
class NameQuery:
    """The words of a name query in the form of each search key: ``name_key``
    (``search_tokens``), ``name_fold`` (``roman_fold``) and ``name_latin`` (``latin_key``)."""

    tokens: tuple[str, ...] = ()
    fold_tokens: tuple[str, ...] = ()
    latin_tokens: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str) -> NameQuery:
        return cls(
            tuple(search_tokens(text)),
            tuple(word for word in roman_fold(text).split(" ") if word),
            tuple(word for word in latin_key(text).split(" ") if word),
        )
