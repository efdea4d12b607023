"""Reading comment responses: HTML to plain text, challenge pages, JSON bodies, local times.

Every adapter needs the same few steps before its site-specific work, and each step fails
with a named ``CommentFormatError`` that says which site and what was wrong, so a changed
endpoint is noticed instead of indexed as empty or garbled comments.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

import lxml.html

from crawlers.blocked import challenge_kind
from crawlers.comments.base import CommentFormatError

__all__ = [
    "VN_TZ",
    "BlockedError",
    "count",
    "element_text",
    "html_to_text",
    "is_challenge_page",
    "load_json",
    "local_datetime",
    "raise_if_blocked",
]

# Vietnam has kept UTC+7 without daylight saving since 1975: a fixed offset needs no tz data.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
# What lxml refuses in a string (ValueError "must be XML compatible"), or silently drops the
# whole fragment for (a lone surrogate): control characters become spaces, the rest U+FFFD.
_XML_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_UNREADABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
MAX_COUNT = 2**31 - 1  # the mapping's ``integer``


class BlockedError(CommentFormatError):
    """The site answered with a bot challenge (Cloudflare) instead of content: retry later
    or from elsewhere, never parse it as comments."""


def is_challenge_page(text: str) -> bool:
    """True for a Cloudflare "Just a moment..." challenge or "Attention Required" block page."""
    return challenge_kind(text) is not None


def raise_if_blocked(body: bytes | str, site: str) -> None:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if is_challenge_page(text):
        raise BlockedError(f"{site}: blocked by a Cloudflare challenge, not a comment response")


def load_json(body: bytes, site: str) -> Any:
    """The decoded body; a challenge page raises ``BlockedError``, anything else not JSON
    raises ``CommentFormatError``."""
    try:
        return json.loads(body)
    # ValueError: also a number past Python's 4,300-digit limit; RecursionError: deep nesting.
    except (ValueError, RecursionError) as exc:
        raise_if_blocked(body, site)
        start = body[:80].decode("utf-8", errors="replace")
        message = f"{site}: comment response is not JSON ({exc}): {start!r}"
        raise CommentFormatError(message) from exc


def html_to_text(fragment: str) -> str:
    """Plain text of comment HTML: ``<br>`` and block ends become newlines, entities are
    unescaped, whitespace is collapsed on each line, empty lines are dropped, NFC."""
    if not fragment.strip():
        return ""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    fragment = _XML_UNREADABLE.sub("\ufffd", _XML_CONTROLS.sub(" ", fragment))
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return element_text(root)


def element_text(element: Any) -> str:
    """Plain text of a parsed element (lxml; a parsel selector's ``.root``), as ``html_to_text``."""
    parts: list[str] = []
    _collect(element, parts)
    return _tidy("".join(parts))


def _collect(element: Any, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else None  # comments, processing instr.
    if tag is not None and tag.lower() not in _SKIPPED_TAGS:
        tag = tag.lower()
        if tag == "br":
            parts.append("\n")
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            _collect(child, parts)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def local_datetime(value: str, site: str, fmt: str | None = None) -> datetime:
    """A site's timestamp as an aware datetime: ISO 8601 (or ``fmt``), site time (UTC+7) when
    the value carries no offset."""
    try:
        parsed = datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CommentFormatError(f"{site}: unreadable comment time {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def count(value: Any, site: str, what: str) -> int:
    """A like or reply count: an int, or ASCII digits with thousands separators ("1.234"),
    from 0 to ``MAX_COUNT``."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise CommentFormatError(f"{site}: {what} is a boolean, expected a count")
    if isinstance(value, int):
        number = value
    else:
        digits = str(value).strip().replace(".", "").replace(",", "")
        # isdigit alone admits "²" and Arabic digits; 11 digits bound int()'s work.
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 11):
            raise CommentFormatError(f"{site}: {what} is not a count: {value!r:.80}")
        number = int(digits)
    if not 0 <= number <= MAX_COUNT:
        raise CommentFormatError(f"{site}: {what} is out of range: {number!r:.80}")
    return number
