"""Text forms the index needs: NFC for display, folded for accent-insensitive search."""

from __future__ import annotations

import unicodedata

# One fold for the index and for queries: see indexer/text.py for why it lives there.
from indexer.text import fold

__all__ = ["fold", "nfc"]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
