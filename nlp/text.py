"""Text forms the index needs: NFC for display, folded for accent-insensitive search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d with a combining mark: NFD does not split them.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case without diacritics, whitespace collapsed.

    >>> fold("Thủ tục  hành chính ĐÃ được")
    'thu tuc hanh chinh da duoc'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()
