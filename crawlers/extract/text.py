"""Small text helpers shared by the extractors: whitespace, entities, comparison keys."""

from __future__ import annotations

import html
import re
import unicodedata

# Invisible characters some CMS editors leave inside words; they are not whitespace to Python.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

# A news agency's dateline in front of a lead: "(Dân trí) - ", "TPO - ", "(NLĐO)- ",
# "VOV.VN - ". Title-case words are left alone: "Apple - ..." is a sentence, not a dateline.
_DATELINE = re.compile(r"^\s*(?:\([^()]{2,30}\)\s*|[A-ZĐ]{2,6}\s+|[\w.]+\.(?:vn|VN)\s+)[-–—]\s*")


def clean(text: str | None) -> str:
    """One line of text: invisible characters dropped, any run of whitespace one space."""
    if not text:
        return ""
    return " ".join(text.translate(_INVISIBLE).split())


def unescape(text: str) -> str:
    """HTML entities decoded; some sites escape JSON-LD twice (``&amp;#7871;``)."""
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


def strip_dateline(text: str) -> str:
    """The lead without the agency's dateline prefix, if it has one."""
    return _DATELINE.sub("", text, count=1)


def fold(text: str) -> str:
    """A comparison key: lower case, no diacritics, letters and digits only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed.casefold() if c.isalnum() and c.isascii())


def same_text(a: str, b: str) -> bool:
    """Equal once whitespace, case and NFC/NFD differences are set aside."""
    return (
        unicodedata.normalize("NFC", clean(a)).casefold()
        == unicodedata.normalize("NFC", clean(b)).casefold()
    )
