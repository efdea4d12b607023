"""Short text for result lists: snippets, and ``<mark>`` highlights of a folded match.

Elasticsearch highlights the accented fields when the query matched them as typed. When a
document matched only through ``text_folded`` (``thu tuc`` finding ``thủ tục``), there is
nothing it can highlight in the accented text (no ``asciifolding`` here), so we mark the
words in Python: the text is folded character by character and the positions mapped back.
Output is HTML-escaped like Elasticsearch's ``encoder: html``, with only ``<mark>`` tags.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator, Sequence

from indexer.text import fold, fold_char, fold_with_offsets

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
    as_folded, as_written = _patterns(tuple(sorted(set(terms), key=len, reverse=True)))
    if not _UNFOLDABLE().search(text):
        return [match.span() for match in as_written.finditer(text)]
    folded, offsets = fold_with_offsets(text)
    return [(offsets[m.start()], offsets[m.end() - 1] + 1) for m in as_folded.finditer(folded)]


# Folding a long text costs far more than scanning it with a regular expression, so most
# texts are matched as written: each folded letter of a word becomes the class of every
# character that folds to it (``t`` -> ``[tTţŤ...]``). That finds exactly what matching the
# folded text finds, as long as each character of the text folds to exactly one character
# that is a word character when it is: texts with any other character are folded.
def _bmp() -> Iterator[str]:
    return (chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


def _plain(char: str, folded: str) -> bool:
    return len(folded) == 1 and _is_word(char) == _is_word(folded)


@functools.cache
def _spellings() -> dict[str, str]:
    """For each folded character, a regex class of the characters that fold to it."""
    sources: dict[str, list[str]] = {}
    for char in _bmp():
        folded = fold_char(char)
        if _plain(char, folded):
            sources.setdefault(folded, []).append(char)
    return {k: "[" + "".join(re.escape(c) for c in v) + "]" for k, v in sources.items()}


@functools.cache
def _UNFOLDABLE() -> re.Pattern[str]:  # noqa: N802 - a constant, built on first use
    """Characters that send a text the slow way: those that fold to nothing (combining
    marks), to several characters, or across the word/non-word line, and all beyond the
    BMP (emoji: short comments, cheap to fold)."""
    odd = "".join(re.escape(c) for c in _bmp() if not _plain(c, fold_char(c)))
    return re.compile(f"[{odd}\\U00010000-\\U0010ffff]")


@functools.lru_cache(maxsize=1024)
def _patterns(terms: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The words as a pattern on folded text, and as one on the text as written."""
    spellings = _spellings()
    folded = "|".join(re.escape(t) for t in terms)
    # A character nothing plain folds to: such a word cannot occur in a plain text.
    written = "|".join("".join(spellings.get(c, "(?!)") for c in t) for t in terms)
    return (
        re.compile(rf"(?<!\w)(?:{folded})(?!\w)"),
        re.compile(rf"(?<!\w)(?:{written})(?!\w)"),
    )


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
