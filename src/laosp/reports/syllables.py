"""Lao syllables, so that a line of a PDF breaks between two syllables, never inside one.

Lao is written without spaces between words; a renderer may break a line only where a
syllable ends (Unicode line breaking leaves Lao to a dictionary, which fpdf2 does not
have, and so it cut "ລົງທະບຽນ" as "ລົງທະບຽ|ນ"). ``laonlp`` has a syllable splitter, but it
needs ``pythainlp`` (a large dependency) and drops the characters its pattern does not
match; ICU's break iterator (PyICU) needs the ICU library built on the machine. This is a
small rule-based splitter after the structure of the written Lao syllable (as in
Phissamay et al., "Syllabification of Lao script for line breaking"):

    [leading vowel ເແໂໄໃ] [ຫ before a sonorant] consonant [subscript ຼ] [medial ວ ລ ຣ]
    vowel signs and tone mark, [following vowel ະ າ ຳ ຽ ອ ວ] [final consonant] [ໆ]

with finals ກ ງ ຍ ດ ນ ມ ບ ວ (and a borrowed final with the cancellation mark ໌). A
syllable has a vowel: a leading vowel, or a vowel sign after its consonant. A run of
Lao letters is split by dynamic programming into the fewest syllables that cover it
(``ສະບາຍດີ`` can only be ສະ|ບາຍ|ດີ: ``ຍດີ`` is no syllable); of equal splits, the one
reading fewer medial consonants wins (ກາງ|ວັນ, not ກາ|ງວັນ). A character no syllable
takes (a stray mark) stays with the syllable before it, so no break ever comes before
a vowel sign or a tone mark.
"""

from __future__ import annotations

import re
from functools import cache

#: Zero width space: fpdf2 breaks a line there and draws nothing.
BREAK = "\u200b"

LEADING = "ເແໂໄໃ"
CONSONANTS = "ກຂຄງຈສຊຍດຕຖທນບປຜຝພຟມຢຣລວຫອຮໜໝໞໟຆຉຌຎຏຐຑຒຓຘຠຨຩຬ"
TONES = "\u0ec8\u0ec9\u0eca\u0ecb"
FINALS = "ກງຍດນມບວ"
CANCEL = "\u0ecc"
REPEAT = "ໆຯ"
LAO = re.compile(r"[\u0e80-\u0eff]+")
LONGEST = 10

_T = f"[{TONES}]?"
_FINAL = f"(?:[{FINALS}](?:[{CONSONANTS}]{CANCEL})?|[{CONSONANTS}]{CANCEL})?"
#: The vowel of a syllable after its initial consonant(s), when it is written there.
_VOWEL = (
    "(?:"
    f"\u0eb0|\u0eb3"  # ະ ຳ
    f"|\u0eb1{_T}[ຽວ]?{_FINAL}"  # ັ (ກັນ, ຈັ່ງ, ເປັນ)
    f"|[\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9]{_T}ອ?{_FINAL}"  # ິ ີ ຶ ື ຸ ູ (ເມືອງ)
    f"|\u0ebb{_T}[ວາ]?{_FINAL}"  # ົ (ຄົນ, ຫົວ, ເປົ່າ)
    f"|\u0ecd{_T}າ?"  # ໍ (ບໍ່; ໍາ is ຳ in parts)
    f"|{_T}[າຽອວ]{_FINAL}"  # າ ຽ ອ ວ (ຢ່າງ, ບຽນ, ຂອງ)
    f"|{_T}[\u0eb0\u0eb3]"  # ະ ຳ after a tone mark
    ")"
)
_ONSET = f"(?:ຫ(?=[ງຍນມລວຣ]))?[{CONSONANTS}]\u0ebc?"
_REPEAT = f"[{REPEAT}]?"
#: Without a leading vowel the vowel is written; with one it may be the leading vowel
#: alone (ແມ່, ໄດ້, ໃຫ້) or with a final (ເກັບ is the first branch).
_PLAIN = re.compile(f"{_ONSET}{_VOWEL}{_REPEAT}")
_LEAD = re.compile(f"[{LEADING}]{_ONSET}(?:{_VOWEL}|{_T}{_FINAL}){_REPEAT}")
_PLAIN_MEDIAL = re.compile(f"{_ONSET}[ວລຣ]{_VOWEL}{_REPEAT}")
_LEAD_MEDIAL = re.compile(f"[{LEADING}]{_ONSET}[ວລຣ](?:{_VOWEL}|{_T}{_FINAL}){_REPEAT}")
#: (pattern, cost): a syllable costs 10, one read with a medial consonant 11.
_PATTERNS = ((_PLAIN, 10), (_LEAD, 10), (_PLAIN_MEDIAL, 11), (_LEAD_MEDIAL, 11))
_STRAY = 1000


def _cost(piece: str) -> int | None:
    costs = [cost for pattern, cost in _PATTERNS if pattern.fullmatch(piece)]
    return min(costs) if costs else None


@cache
def _split_lao(run: str) -> tuple[str, ...]:
    """A run of Lao characters as syllables (see the module's documentation)."""
    size = len(run)
    # best[end] = (cost of the best split of run[:end], start of its last piece, stray?)
    best: list[tuple[int, int, bool]] = [(0, 0, False)]
    for end in range(1, size + 1):
        choice = (best[end - 1][0] + _STRAY, end - 1, True)
        for start in range(max(0, end - LONGEST), end):
            cost = _cost(run[start:end])
            if cost is not None and best[start][0] + cost < choice[0]:
                choice = (best[start][0] + cost, start, False)
        best.append(choice)
    pieces: list[tuple[str, bool]] = []
    end = size
    while end > 0:
        _, start, stray = best[end]
        pieces.append((run[start:end], stray))
        end = start
    pieces.reverse()
    joined: list[str] = []
    pending = ""  # stray characters before the first syllable join it
    for piece, stray in pieces:
        if stray and joined:  # a character no syllable takes: no break before it
            joined[-1] += piece
        elif stray:
            pending += piece
        else:
            joined.append(pending + piece)
            pending = ""
    return tuple(joined) if not pending else (*joined, pending)


def syllables(text: str) -> list[str]:
    """``text`` cut into pieces that join back to it: each Lao syllable one piece, any
    other text (Latin letters, digits, spaces) as it comes between them."""
    pieces: list[str] = []
    position = 0
    for run in LAO.finditer(text):
        if run.start() > position:
            pieces.append(text[position : run.start()])
        pieces.extend(_split_lao(run.group()))
        position = run.end()
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def breakable(text: str) -> str:
    """``text`` with a zero width space between two Lao syllables that touch: the only
    places besides spaces where a line may end."""
    out: list[str] = []
    previous_lao = False
    for piece in syllables(text):
        lao = bool(LAO.fullmatch(piece))
        if lao and previous_lao:
            out.append(BREAK)
        out.append(piece)
        previous_lao = lao
    return "".join(out)
