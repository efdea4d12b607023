"""Folding, the one accent-insensitive text form: the tagger writes ``text_folded`` with it
and the API folds queries with it, so both sides are the same function by construction.

Why it lives here: ``api`` may import only ``indexer``, and ``indexer`` imports none of the
other packages, while ``nlp`` may import ``indexer``. The pure function therefore sits in
this leaf module and ``nlp.text`` re-exports it. A copy in each package would drift (one
side learning a new letter would silently stop ``thu tuc`` from finding ``thủ tục``).

The distribution we run has no ``asciifolding`` filter, hence folding in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["fold", "fold_char", "fold_with_offsets"]

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d with a combining mark: NFD does not split them.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Latin letters with marks (Vietnamese lives in these blocks) -> letters without, and lone
# combining marks -> nothing: one translate() does what NFD and a filter do, much faster.
_LATIN = (chr(code) for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)))
_FOLD = str.maketrans(
    {ch: _strip_marks(ch) for ch in _LATIN if _strip_marks(ch) != ch}
    | {chr(code): None for code in range(0x300, 0x370)}
    | {"đ": "d", "Đ": "d"}
)


def fold(text: str) -> str:
    """Lower-case without diacritics, whitespace collapsed.

    >>> fold("Thủ tục  hành chính ĐÃ được")
    'thu tuc hanh chinh da duoc'
    """
    stripped = text.translate(_FOLD)
    if not stripped.isascii():  # other scripts, emoji: the general (slower) way
        stripped = _strip_marks(stripped.translate(_LETTERS))
    return _SPACES.sub(" ", stripped).strip().lower()


def fold_char(char: str) -> str:
    """One character folded: what ``fold_with_offsets`` maps it to (maybe "" or several)."""
    decomposed = unicodedata.normalize("NFD", char.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# What each character seen so far folds to. Characters that fold to exactly one character
# (nearly all: letters, digits, punctuation, emoji) are also in ``_ONE_TO_ONE``: a text made
# only of those folds with one ``translate`` and keeps its offsets. Bounded: a hostile text
# of many distinct characters goes the per-character way without growing the tables.
_FOLDED_CHARS: dict[str, str] = {}
_ONE_TO_ONE: set[str] = set()
_ONE_TO_ONE_TABLE: dict[int, str] = {}
_MAX_CACHED_CHARS = 20_000


def fold_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded character by character (whitespace kept), and for every folded
    character the index of the character of ``text`` it came from, so that a match found
    in the folded form can be marked in the original.

    >>> folded, offsets = fold_with_offsets("Đền bù")
    >>> folded, list(offsets)
    ('den bu', [0, 1, 2, 3, 4, 5])
    """
    if _ONE_TO_ONE.issuperset(text):
        return text.translate(_ONE_TO_ONE_TABLE), range(len(text))
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _FOLDED_CHARS.get(char)
        if folded is None:
            folded = fold_char(char)
            if len(_FOLDED_CHARS) < _MAX_CACHED_CHARS:
                _FOLDED_CHARS[char] = folded
                if len(folded) == 1:
                    _ONE_TO_ONE.add(char)
                    if folded != char:
                        _ONE_TO_ONE_TABLE[ord(char)] = folded
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets
