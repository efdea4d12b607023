"""ISO weeks in Vietnam time: ``2026-W47`` is Monday 16 to Sunday 22 November 2026, from
00:00 on the Monday (UTC+7) to 00:00 on the next Monday."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from indexer.errors import VnopinionError
from indexer.filters import VN_TZ

__all__ = ["Week", "last_full_week", "parse_week"]

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(), VN_TZ)

    @property
    def end(self) -> datetime:
        """The next Monday, 00:00 (exclusive)."""
        return self.start + timedelta(days=7)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    @property
    def previous(self) -> Week:
        return Week.of(self.monday - timedelta(days=7))

    @property
    def iso(self) -> str:
        """The ISO name.

        >>> Week(2026, 5).iso
        '2026-W05'
        """
        return f"{self.year}-W{self.number:02d}"

    @classmethod
    def of(cls, day: date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)


def weeks_in(year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year.

    >>> weeks_in(2026), weeks_in(2027)
    (53, 52)
    """
    return date(year, 12, 28).isocalendar().week


def parse_week(text: str) -> Week:
    """``YYYY-Www`` as a real ISO week, or a VnopinionError that says what is wrong.

    >>> parse_week("2026-W47").monday
    datetime.date(2026, 11, 16)
    """
    match = _WEEK.fullmatch(text.strip())
    example = "e.g. --week 2026-W47 (Monday 16 to Sunday 22 November 2026)"
    if not match:
        raise VnopinionError(
            f"--week {text!r} is not an ISO week: write YYYY-Www.", hint=f"{example}."
        )
    year, number = int(match[1]), int(match[2])
    if not 1 <= year <= 9998 or not 1 <= number <= weeks_in(year):
        last = weeks_in(year) if 1 <= year <= 9998 else 52
        raise VnopinionError(
            f"--week {text!r}: {year} has ISO weeks W01 to W{last:02d}.", hint=f"{example}."
        )
    return Week(year, number)


def last_full_week(now: datetime | None = None) -> Week:
    """The ISO week before the current one (Vietnam time): what a Monday report is about."""
    today = (now or datetime.now(VN_TZ)).astimezone(VN_TZ).date()
    return Week.of(today - timedelta(days=7))
