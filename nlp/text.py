"""Text forms the index needs: NFC for display, folded for accent-insensitive search."""

from __future__ import annotations

import unicodedata

# One fold for the index and for queries: see indexer/text.py for why it lives there.
from indexer.text import fold

__all__ = ["fold", "model_input", "nfc"]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def model_input(title: str | None, lead: str | None, text: str) -> str:
    """What the models read: an article's title, lead and body; a comment's text alone."""
    return "\n".join(part for part in (title or "", lead or "", text) if part)
