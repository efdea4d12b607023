"""Dates as Vietnamese news sites write them, made time-zone aware.

Metadata dates are ISO 8601, sometimes bent (``2026-03-07T08:52:11.000 +07:00``,
``+0700``); printed dates are day first (``07/03/2026 08:01 GMT+7``,
``Thứ bảy, 07/03/2026 - 08:07``). A date without a zone is site time, Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import htmldate
from lxml.html import HtmlElement

from crawlers.extract.text import clean

SITE_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SPACE_BEFORE_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")
_TIME = r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?"
_DATE = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
_DATE_THEN_TIME = re.compile(rf"(?<!\d){_DATE}(?:\D{{1,8}}?{_TIME})?(?!\d)")
_TIME_THEN_DATE = re.compile(rf"(?<!\d){_TIME}\D{{1,8}}?{_DATE}(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# Elements that usually print the publication date next to the headline.
_DATE_NAMES = re.compile(r"date|time|publish|posted|ngay-dang", re.IGNORECASE)
_MAX_DATE_TEXT = 80


def parse_datetime(value: str | None) -> datetime | None:
    """A metadata or printed date as an aware datetime; None if it is not one."""
    text = clean(value)
    if not text:
        return None
    parsed = _iso(text) if _ISO_START.match(text) else _day_first(text)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SITE_TIMEZONE)


def _iso(text: str) -> datetime | None:
    text = _SPACE_BEFORE_OFFSET.sub(r"\1", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _day_first(text: str) -> datetime | None:
    match = _DATE_THEN_TIME.search(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    if hour is None:
        reversed_match = _TIME_THEN_DATE.search(text)
        if reversed_match is not None:
            hour, minute, second, day, month, year = reversed_match.groups()
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0))  # fmt: skip
    except ValueError:
        return None
    offset = _GMT.search(text)
    if offset is None:
        return parsed
    sign = -1 if offset.group(1) == "-" else 1
    delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
    return parsed.replace(tzinfo=timezone(sign * delta))


def printed_date(root: HtmlElement) -> datetime | None:
    """The date printed nearest the headline: ``time`` elements, then date/time-named ones.

    The search widens from the headline's parent outwards, so the "today is ..." date in a
    site's top bar loses to the article's own date line.
    """
    heading = next(root.iter("h1"), None)
    scopes = list(heading.iterancestors()) if heading is not None else [root]
    seen: set[HtmlElement] = set()
    for scope in scopes:
        for element in scope.iter():
            if element in seen or not isinstance(element.tag, str):
                continue
            seen.add(element)
            found = _date_in(element)
            if found is not None:
                return found
    return None


def _date_in(element: HtmlElement) -> datetime | None:
    if element.tag == "time":
        found = parse_datetime(element.get("datetime")) or parse_datetime(element.text_content())
        if found is not None:
            return found
    names = f"{element.get('class', '')} {element.get('id', '')}"
    if not _DATE_NAMES.search(names):
        return None
    text = clean(element.text_content())
    if len(text) > _MAX_DATE_TEXT:
        return None
    return parse_datetime(element.get("datetime") or element.get("content") or text)


def htmldate_date(root: HtmlElement, url: str) -> datetime | None:
    """Last resort: htmldate's guess (often a day without a time: midnight site time)."""
    found = htmldate.find_date(
        deepcopy(root), extensive_search=True, original_date=True, url=url,
        outputformat="%Y-%m-%dT%H:%M:%S",
    )  # fmt: skip
    return parse_datetime(found)
