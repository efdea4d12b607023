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

__all__ = ["fold", "fold_with_offsets"]

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


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character (whitespace kept), and for every folded
    character the index of the character of ``text`` it came from, so that a match found
    in the folded form can be marked in the original.

    >>> fold_with_offsets("Đền bù")
    ('den bu', [0, 1, 2, 3, 4, 5])
    """
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        decomposed = unicodedata.normalize("NFD", char.translate(_LETTERS))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(pieces), offsets
