"""Numbers, shares and times written the Vietnamese way: ``1.234``, ``35,2%``, ``25/11/2026``.

Times are shown in Vietnam time (UTC+7, no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from indexer.filters import VN_TZ

__all__ = [
    "KIND_LABELS",
    "SENTIMENT_LABELS",
    "bucket_label",
    "day",
    "decimal",
    "moment",
    "number",
    "percent",
    "points",
    "signed",
]

SENTIMENT_LABELS = {
    "negative": "Tiêu cực",
    "neutral": "Trung lập",
    "positive": "Tích cực",
    "untagged": "Chưa gán nhãn",
}
KIND_LABELS = {"article": "Bài báo", "comment": "Bình luận"}


def number(value: int) -> str:
    """Thousands separated by dots.

    >>> number(1234567)
    '1.234.567'
    """
    return f"{value:,}".replace(",", ".")


def decimal(value: float, digits: int = 1) -> str:
    """A decimal comma, and no ``,0`` on whole numbers.

    >>> decimal(2.0), decimal(1.25, 2), decimal(1234.5)
    ('2', '1,25', '1.234,5')
    """
    if float(value).is_integer():
        return number(int(value))
    whole, _, frac = f"{value:,.{digits}f}".partition(".")
    frac = frac.rstrip("0")
    return whole.replace(",", ".") + ("," + frac if frac else "")


def percent(share: float | None, digits: int = 1) -> str:
    """A share as a percentage; a dash when there is none.

    >>> percent(0.35214), percent(None)
    ('35,2%', '–')
    """
    if share is None:
        return "–"
    return decimal(round(share * 100, digits), digits) + "%"


def signed(value: int) -> str:
    """An explicit sign.

    >>> signed(12), signed(-3), signed(0)
    ('+12', '-3', '0')
    """
    return ("+" if value > 0 else "-" if value < 0 else "") + number(abs(value))


def points(change: float | None) -> str:
    """A change of share in percentage points.

    >>> points(0.052), points(-0.1), points(None)
    ('+5,2 điểm %', '-10 điểm %', '–')
    """
    if change is None:
        return "–"
    value = round(change * 100, 1)
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return f"{sign}{decimal(abs(value))} điểm %"


def day(value: date | datetime) -> str:
    """A calendar day (Vietnam time for a datetime).

    >>> day(date(2026, 11, 5))
    '05/11/2026'
    """
    if isinstance(value, datetime):
        value = value.astimezone(VN_TZ).date()
    return value.strftime("%d/%m/%Y")


def moment(value: datetime) -> str:
    """>>> from datetime import UTC
    >>> moment(datetime(2026, 11, 25, 1, 30, tzinfo=UTC))
    '08:30 25/11/2026'
    """
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def bucket_label(start: datetime, end: datetime, interval: str) -> str:
    """The calendar bucket a spike fell in, as people say it.

    >>> start = datetime(2026, 11, 25, tzinfo=VN_TZ)
    >>> bucket_label(start, start + timedelta(days=1), "day")
    'ngày 25/11/2026'
    >>> bucket_label(start.replace(hour=14), start.replace(hour=15), "hour")
    '14:00–15:00 ngày 25/11/2026'
    """
    local = start.astimezone(VN_TZ)
    if interval == "hour":
        return f"{local:%H:%M}–{end.astimezone(VN_TZ):%H:%M} ngày {day(local)}"
    if interval == "week":
        last = (end - timedelta(microseconds=1)).astimezone(VN_TZ)
        return f"tuần {local:%d/%m}–{day(last)}"
    if interval == "month":
        return f"tháng {local:%m/%Y}"
    return f"ngày {day(local)}"
