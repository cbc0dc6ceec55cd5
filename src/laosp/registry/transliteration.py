"""Lao script to Latin letters, for search: a compact, table-driven romanisation.

Basis: the BGN/PCGN 1966 romanisation of Lao (US Board on Geographic Names and the
Permanent Committee on Geographical Names for British Official Use, "Romanization of Lao,
BGN/PCGN 1966 System"; the tables as reprinted in the Library of Congress ALA-LC Lao
table and Wikipedia's "Romanization of Lao"), the French-style system that Lao names
are commonly spelt in. It is applied without diacritics, with these deviations towards
how names are actually written in registers and passports:

* ຍ initial is "y" (BGN "gn", LC "ny": "Bounyavong", "Sengsouliya" are written with y);
* ຶ / ື are "eu" (the Lao Government's usage; BGN writes "u" with a diacritic), and so
  is ເ-ີ / ເ-ິ; ເ-ືອ is "eua" ("Bounleua", "Daoheuang");
* ຸ / ູ are "u" (BGN "ou": the search fold makes "ou" "u" anyway);
* the silent ຫ before ງ ຍ ນ ມ ລ ວ ຣ is dropped; ອ is silent as an initial and "o" as a
  vowel; ວ after an initial and before a final is the vowel "ua" ("Douang"), after a
  vowel the final "o" ("Keo", "Dao"), before a vowel after an initial the cluster "v";
* finals other than ກ ງ ດ ນ ບ ມ ຍ ວ (old and Pali spellings) take their spoken value.

Input is the search form of ``laosp.registry.names.normalise`` (tone marks dropped,
ligatures spelt out, ໍ+າ = ຳ). Lao writes no spaces between syllables and no syllable
boundaries, so the reading is a heuristic: an initial consonant, the vowel signs around
it (before, above, below, after), and a following consonant is the final unless a vowel
sign follows it (then it starts the next syllable). Limits: implicit vowels of
pre-1975 spellings (e.g. "ສວັນ" for "ສະຫວັນ") are not supplied; the rare clusters with
ລ / ຣ are read as two syllables; tones and vowel length are not represented.
"""

from __future__ import annotations

#: consonant -> (initial, final) value
CONSONANTS: dict[str, tuple[str, str]] = {
    "ກ": ("k", "k"), "ຂ": ("kh", "k"), "ຄ": ("kh", "k"), "ງ": ("ng", "ng"),
    "ຈ": ("ch", "t"), "ສ": ("s", "t"), "ຊ": ("x", "t"), "ຍ": ("y", "y"),
    "ດ": ("d", "t"), "ຕ": ("t", "t"), "ຖ": ("th", "t"), "ທ": ("th", "t"),
    "ນ": ("n", "n"), "ບ": ("b", "p"), "ປ": ("p", "p"), "ຜ": ("ph", "p"),
    "ຝ": ("f", "p"), "ພ": ("ph", "p"), "ຟ": ("f", "p"), "ມ": ("m", "m"),
    "ຢ": ("y", "y"), "ຣ": ("r", "n"), "ລ": ("l", "n"), "ວ": ("v", "o"),
    "ຫ": ("h", ""), "ອ": ("", ""), "ຮ": ("h", ""),
}  # fmt: skip
#: ຫ before these is a silent tone-class marker (ຫງ ຫຍ ຫນ ຫມ ຫລ ຫວ ຫຣ)
SONORANTS = frozenset("ງຍນມລວຣ")
PREPOSED = frozenset("ເແໂໄໃ")
#: vowel signs written above or below the initial
ABOVE_BELOW = frozenset("\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0ebb\u0ecd")
#: vowel signs written after the initial
POSTPOSED = frozenset("\u0eb0\u0eb2\u0eb3\u0ebd")
VOWEL_SIGNS = ABOVE_BELOW | POSTPOSED
#: a single above/below sign with no preposed vowel
SIMPLE = {
    "\u0eb1": "a", "\u0eb4": "i", "\u0eb5": "i", "\u0eb6": "eu", "\u0eb7": "eu",
    "\u0eb8": "u", "\u0eb9": "u", "\u0ebb": "o", "\u0ecd": "o",
}  # fmt: skip
POST = {"\u0eb0": "a", "\u0eb2": "a", "\u0eb3": "am", "\u0ebd": "ia", "ອ": "o"}
IGNORED = frozenset("\u0ec6\u0eaf")  # repetition mark, ellipsis


class _Reader:
    """Reads one word of Lao script syllable by syllable."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def at(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.text[index] if 0 <= index < len(self.text) else ""

    def starts_syllable(self, offset: int) -> bool:
        """Whether the consonant at ``offset`` is an initial (not a final)."""
        char, after = self.at(offset), self.at(offset + 1)
        if char in ("ຫ", "ອ", "ຮ"):
            return True
        if after in VOWEL_SIGNS:
            return True
        if after == "ອ" and self.at(offset + 2) not in VOWEL_SIGNS | {"ອ"}:
            return True  # C + ອ (+ final): the vowel "o"
        if after == "ວ" and self.at(offset + 2) in CONSONANTS:
            return self.at(offset + 3) not in VOWEL_SIGNS  # C + ວ + final: "ua"
        return False

    def initial(self, pre: str) -> str:
        char = self.at()
        if char == "ຫ" and self.at(1) in SONORANTS:
            self.i += 2
            return CONSONANTS[self.at(-1)][0]
        self.i += 1
        value = CONSONANTS[char][0]
        if not pre and self.at() == "ວ" and self.at(1) in VOWEL_SIGNS:
            self.i += 1
            value += "v"  # cluster: ກວ່າ, ຄວາມ
        return value

    def nucleus(self, pre: str) -> str:
        char, after = self.at(), self.at(1)
        if pre == "":
            if char in ABOVE_BELOW:
                self.i += 1
                if char in "\u0eb1\u0ebb" and after == "ວ":  # ົວ, ັວ
                    self.i += 1
                    return "ua"
                if char == "\u0eb1" and after == "ອ":  # ັອ
                    self.i += 1
                    return "o"
                vowel = SIMPLE[char]
                if self.at() in "\u0eb0\u0eb2":
                    self.i += 1
                return vowel
            if char == "ວ" and after not in VOWEL_SIGNS:
                self.i += 1
                return "ua"
            if char in POST and not (char == "ອ" and after in VOWEL_SIGNS):
                self.i += 1
                return POST[char]
            return ""
        if pre == "ເ":
            if char == "\u0ebb" and after == "\u0eb2":
                self.i += 2
                return "ao"
            if char == "\u0eb2":
                self.i += 1
                if self.at() == "\u0eb0":
                    self.i += 1
                    return "o"
                return "ao"
            if char == "\u0eb1" and after == "ຍ":
                self.i += 2
                return "ia"
            if char in "\u0eb6\u0eb7":
                self.i += 1
                if self.at() == "ອ":
                    self.i += 1
                    return "eua"
                return "eu"
            if char in "\u0eb4\u0eb5":
                self.i += 1
                return "eu"
            if char == "ຍ" and not self.starts_syllable(0):
                self.i += 1
                return "ia"
            if char in "\u0eb0\u0eb1":
                self.i += 1
            return "e"
        if pre in "ແໂ":
            if char in "\u0eb0\u0eb1":
                self.i += 1
            return "e" if pre == "ແ" else "o"
        return "ai"  # ໄ ໃ

    def syllable(self) -> str:
        pre = ""
        if self.at() in PREPOSED:
            pre = self.at()
            self.i += 1
        onset = self.initial(pre) if self.at() in CONSONANTS else ""
        vowel = self.nucleus(pre)
        final = ""
        closed = vowel in ("ai", "am", "ao") or self.at(-1) == "\u0eb0"
        char = self.at()
        if not closed and char in CONSONANTS and not self.starts_syllable(0):
            final = CONSONANTS[char][1]
            self.i += 1
        return onset + vowel + final

    def read(self) -> str:
        out: list[str] = []
        while self.i < len(self.text):
            char = self.at()
            if char in PREPOSED or char in CONSONANTS or char in VOWEL_SIGNS:
                start = self.i
                out.append(self.syllable())
                if self.i == start:  # a stray sign the reading cannot place
                    self.i += 1
            else:
                if char not in IGNORED and not "\u0e80" <= char <= "\u0eff":
                    out.append(char)
                self.i += 1
        return "".join(out)


def transliterate(text: str) -> str:
    """``text`` with its Lao script romanised (other characters unchanged). ``text``
    should be in the search form (``names.normalise``)."""
    if not any("\u0e80" <= char <= "\u0eff" for char in text):
        return text
    return _Reader(text).read()
