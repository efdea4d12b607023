"""Short text for result lists: snippets, and ``<mark>`` highlights of a folded match.

Elasticsearch highlights the accented fields when the query matched them as typed. When a
document matched only through ``text_folded`` (``thu tuc`` finding ``thủ tục``), there is
nothing it can highlight in the accented text (no ``asciifolding`` here), so we mark the
words in Python: the text is folded character by character and the positions mapped back.
Output is HTML-escaped like Elasticsearch's ``encoder: html``, with only ``<mark>`` tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from indexer.text import fold, fold_with_offsets

__all__ = ["folded_terms", "mark", "snippet"]

_QUERY_WORDS = re.compile(r"(-?)(\w+)")
_ELLIPSIS = "…"


def snippet(text: str, limit: int = 200) -> str:
    """The start of ``text``, cut at a word boundary with an ellipsis.

    >>> snippet("Người dân phản ánh tiền đền bù chậm", 20)
    'Người dân phản ánh…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(",.;:") + _ELLIPSIS


def folded_terms(query: str) -> list[str]:
    """The folded words of a query, without the ones it excludes (``-word``).

    >>> folded_terms('"Thủ tục" -đất | hồ sơ*')
    ['thu', 'tuc', 'ho', 'so']
    """
    return [word for minus, word in _QUERY_WORDS.findall(fold(query)) if not minus]


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    folded, offsets = fold_with_offsets(text)
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return [(offsets[m.start()], offsets[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def mark(text: str, terms: Sequence[str], *, size: int = 160, fragments: int = 3) -> list[str]:
    """Up to ``fragments`` pieces of ``text`` of about ``size`` characters around the words
    whose folded form is one of ``terms``, those words in ``<mark>``; [] when none occurs.

    >>> mark("Thủ tục <nhanh>", ["thu", "tuc"])
    ['<mark>Thủ</mark> <mark>tục</mark> &lt;nhanh&gt;']
    """
    if not terms or not text:
        return []
    spans = _spans(text, terms)
    pieces: list[str] = []
    index = 0
    while index < len(spans) and len(pieces) < fragments:
        first = spans[index][0]
        near_start = first < size // 4 or len(text) <= size
        start = 0 if near_start else text.find(" ", first - size // 4, first) + 1
        end = max(min(len(text), start + size), spans[index][1])
        if end < len(text):
            space = text.rfind(" ", spans[index][1], end)
            end = space if space > 0 else end
        inside = [s for s in spans[index:] if s[1] <= end]
        pieces.append(
            (_ELLIPSIS if start else "")
            + _render(text, start, end, inside)
            + (_ELLIPSIS if end < len(text) else "")
        )
        index += len(inside)
    return pieces
