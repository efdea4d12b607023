"""Text forms the index needs: NFC for display, folded for accent-insensitive search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d with a combining mark: NFD does not split them.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


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
