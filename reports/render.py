"""The weekly report as one self-contained HTML page: Jinja2 with autoescaping on (comment
text is untrusted: a ``<script>`` in a comment is printed as text), inline CSS, SVG charts.

The page also forbids scripts and every fetch through its Content-Security-Policy, so even a
mistake in escaping could run nothing when the file is opened or printed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports import vi
from reports.charts import Bar, Column, horizontal_bars, stacked_columns
from reports.weekly import WeeklyReport

__all__ = ["environment", "render_weekly", "safe_href"]

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
SHORT_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def safe_href(url: str | None) -> str | None:
    """The URL if it is an http(s) link, else None (no ``javascript:`` from the data).

    >>> safe_href("https://vnexpress.net/a.html"), safe_href("javascript:alert(1)")
    ('https://vnexpress.net/a.html', None)
    """
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def ratio(change: float | None) -> str:
    """A relative change as a percentage (``None``: nothing to compare with).

    >>> ratio(0.35), ratio(-0.2), ratio(None)
    ('+35%', '-20%', '–')
    """
    if change is None:
        return "–"
    return vi.signed(round(change * 100)) + "%"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=vi.number, decimal=vi.decimal, percent=vi.percent, points=vi.points,
        signed=vi.signed, day=vi.day, moment=vi.moment, ratio=ratio, href=safe_href,
        weekday=lambda d: WEEKDAYS[d.weekday()],
    )  # fmt: skip
    return env


def _charts(report: WeeklyReport) -> dict[str, Markup]:
    columns = [
        Column(SHORT_WEEKDAYS[b.start.weekday()], f"{b.start:%d/%m}",
               {"negative": b.negative, "neutral": b.neutral, "positive": b.positive,
                "untagged": b.untagged})
        for b in report.days
    ]  # fmt: skip
    issues = [Bar(t.label, t.count, t.negative) for t in report.issues]
    hotspots = [Bar(h.province, h.counts.count, h.counts.negative) for h in report.hotspots]
    return {
        "days": stacked_columns(columns, "Số tin bài và bình luận theo ngày và cảm xúc"),
        "issues": horizontal_bars(issues, "Vấn đề nổi bật: tổng số và số tiêu cực"),
        "hotspots": horizontal_bars(hotspots, "Địa bàn: tổng số và số tiêu cực"),
    }


def render_weekly(report: WeeklyReport) -> str:
    template = environment().get_template("weekly.html")
    return template.render(r=report, charts=_charts(report), sentiments=vi.SENTIMENT_LABELS)
