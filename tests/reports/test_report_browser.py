"""The weekly report opened in headless Chromium with markup in every text it takes from the
data: comments, article titles, source names, place names as written, topic labels and keys,
spike messages and documents, the alias and the model versions. Nothing may run, nothing may
be added to the page, and every payload must be on screen as the characters it is.

Each payload, if it ran, would push its name to ``window.__pwned``, change the title or add a
node. The page is opened twice: as written, and with its Content-Security-Policy removed, so
that escaping alone is shown to hold (the CSP forbids scripts whatever the escaping does).
The report is built directly (no Elasticsearch): which documents reach it is the business of
tests/reports/test_report.py; here every field is hostile at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from indexer.analytics import SentimentCounts, TopicStat, TrendBucket
from indexer.filters import VN_TZ
from indexer.spikes import Spike, SpikeDocument
from reports.alert_context import SpikeContext
from reports.alerts import alert_message
from reports.render import render_weekly
from reports.weekly import (
    Figures,
    Hotspot,
    IssueComments,
    QuotedComment,
    ReportLimits,
    WeeklyReport,
    WeekSpike,
)
from reports.weeks import Week
from tests.browser import full_page_screenshot, screenshot_dir

pytestmark = [pytest.mark.slow, pytest.mark.hostile]


def run(name: str) -> str:
    """JavaScript that records that payload ``name`` ran."""
    return f"(window.__pwned=window.__pwned||[]).push('{name}')"


PAYLOADS = {
    "script": f"<script>{run('script')}</script>",
    "img": f'<img src=x onerror="{run("img")}">',
    "svg": f'<svg onload="{run("svg")}"><circle r="1"/></svg>',
    "iframe": f'<iframe srcdoc="<script>parent.{run("iframe")[1:-1]}</script>"></iframe>',
    "link": f'<a id=pwned-link href="javascript:{run("link")}">bấm vào đây</a>',
    "double-quote": f'x" autofocus tabindex="0" onfocus="{run("double-quote")}" data-x="',
    "single-quote": f"x' autofocus tabindex='0' onfocus='{run('single-quote')}' data-x='",
    "style": f"</style><script>{run('style')}</script><b id=pwned-style>style</b>",
    "title": "</title><script>document.title='pwned'</script><b id=pwned-title>x</b>",
    "cdata": f"]]><script>{run('cdata')}</script>",
    "comment": f"--><script>{run('comment')}</script><!--",
    "refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "template": "{{ 7 * 7 }} {% raw %} ${7*7}",
    "entity": "&lt;script&gt; &amp; &#60;b&#62;",
}
JS_URL = f"javascript:{run('href')}"
NAMES = list(PAYLOADS)


def hostile(i: int, what: str) -> str:
    """A readable Vietnamese text around payload number ``i`` (cycling through them all)."""
    name = NAMES[i % len(NAMES)]
    return f"{what} {name}: {PAYLOADS[name]} hết."


WEEK = Week(2026, 48)


def counts(n: int) -> SentimentCounts:
    negative, neutral = n // 2, n // 4
    return SentimentCounts(
        count=n, negative=negative, neutral=neutral, positive=neutral,
        untagged=n - negative - 2 * neutral, negative_share=0.5 if n else None,
    )  # fmt: skip


def topic(i: int) -> TopicStat:
    return TopicStat(
        key=hostile(i, "mã"), label=hostile(i + 1, "Chủ đề"), count=20 - i, negative=10 - i,
        negative_share=0.5, previous_count=5, previous_negative_share=0.2, change=15 - i,
        change_ratio=3.0, negative_share_change=0.3,
    )  # fmt: skip


def quote(i: int) -> QuotedComment:
    return QuotedComment(
        text=hostile(i, "Bình luận"), source_name=hostile(i + 1, "Nguồn"),
        published_at=WEEK.start + timedelta(hours=30 + i), url=JS_URL if i % 2 else
        f'https://example.vn/a.html?x="><script>{run("url")}</script>',
        likes=100 - i, replies=i, article_title=hostile(i + 2, "Bài"),
    )  # fmt: skip


def spike(i: int, issue: TopicStat, province: str) -> WeekSpike:
    start = WEEK.start + timedelta(days=i)
    found = Spike(
        key=hostile(i, "khóa"), dimension="topic", value=issue.key, label=issue.label,
        kind="negative", interval="day", bucket_start=start, bucket_end=start + timedelta(days=1),
        count=12, baseline_median=0, baseline_mad=0, z=12.0, series=[0, 0, 12],
        documents=[SpikeDocument(
            id=f"d{i}", kind="article", title=hostile(i + 3, "Tiêu đề") if i % 2 else None,
            snippet=hostile(i + 4, "Đoạn"), url=JS_URL if i % 2 else "https://example.vn/b.html",
            source_name=hostile(i, "Nguồn"),
        )],
    )  # fmt: skip
    return WeekSpike(found, alert_message(found, SpikeContext(issue.key, issue.label, province)))


def hostile_report() -> WeeklyReport:
    issues = [topic(i) for i in range(5)]
    provinces = [hostile(i + 5, "Tỉnh") for i in range(4)]
    days = [
        TrendBucket(**counts(8 + d).model_dump(), start=WEEK.start + timedelta(days=d),
                    end=WEEK.start + timedelta(days=d + 1))
        for d in range(7)
    ]  # fmt: skip
    return WeeklyReport(
        week=WEEK, previous=WEEK.previous, generated_at=datetime(2026, 11, 30, 8, tzinfo=VN_TZ),
        alias=hostile(6, "chỉ mục"), current=Figures(counts(80), 20, 60),
        before=Figures(counts(40), 10, 30), days=days, issues=issues,
        hotspots=[Hotspot(p, counts(10 - i), i) for i, p in enumerate(provinces)],
        quotes=[IssueComments(t, [quote(3 * k + j) for j in range(3)])
                for k, t in enumerate(issues)],
        spikes=[spike(i, issues[i % 5], provinces[i % 4]) for i in range(len(NAMES))],
        model_versions=[(hostile(7, "mô hình"), 80), (hostile(8, "mô hình"), 1)],
        limits=ReportLimits(),
    )  # fmt: skip


# Everything the page would hold if some markup had been parsed as markup.
INJECTED = """
return {
  pwned: window.__pwned || null,
  title: document.title,
  nodes: [...document.querySelectorAll(
    'script, iframe, img, object, embed, meta[http-equiv="refresh"], [id^="pwned"], '
    + '[onerror], [onload], [onfocus], [autofocus], [data-x], a[href^="javascript" i], '
    + 'svg svg, svg circle'
  )].map((e) => e.outerHTML.slice(0, 200)),
  hrefs: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
};
"""

SHOWN = """
const texts = (selector) => [...document.querySelectorAll(selector)].map((e) => e.textContent);
return {
  body: document.body.innerText,
  quotes: texts('#quotes blockquote > p'),
  footers: texts('#quotes blockquote > footer'),
  headings: texts('#quotes h3'),
  svg: texts('svg text, svg title'),
  provinces: [...document.querySelectorAll('tr[data-province]')].map((r) => r.dataset.province),
  topics: [...document.querySelectorAll('[data-topic]')].map((r) => r.dataset.topic),
  keys: [...document.querySelectorAll('tr[data-key]')].map((r) => r.dataset.key),
};
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[WeeklyReport, Path, Path]:
    """The report as `vnopinion report --out` writes it, and a copy without its CSP."""
    report = hostile_report()
    html = render_weekly(report)
    folder = tmp_path_factory.mktemp("hostile-report")
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    csp = '<meta http-equiv="Content-Security-Policy"'
    assert html.count(csp) == 1
    start = html.index(csp)
    bare = folder / "report-no-csp.html"
    bare.write_text(html[:start] + html[html.index(">", start) + 1 :], encoding="utf-8")
    return report, page, bare


def open_file(driver: Any, path: Path) -> None:
    driver.get(path.as_uri())  # returns after the load event
    driver.execute_async_script("setTimeout(arguments[0], 300)")  # let late handlers fire


@pytest.mark.parametrize("copy", ["as-written", "without-csp"])
def test_markup_in_the_report_is_shown_as_text_and_never_runs(
    driver: Any, written: tuple[WeeklyReport, Path, Path], copy: str
) -> None:
    report, page, bare = written
    open_file(driver, page if copy == "as-written" else bare)
    if copy == "as-written":
        full_page_screenshot(driver, screenshot_dir() / "report-hostile.png")

    injected = driver.execute_script(INJECTED)
    assert injected["pwned"] is None
    assert injected["title"] == "Báo cáo tình hình dư luận tuần 48/2026"
    assert injected["nodes"] == []
    assert all(href.startswith("https://") for href in injected["hrefs"]), injected["hrefs"]

    shown = driver.execute_script(SHOWN)
    comments = [c for group in report.quotes for c in group.comments]
    assert shown["quotes"] == [c.text for c in comments]
    for footer, c in zip(shown["footers"], comments, strict=True):
        assert footer.startswith(c.source_name + " · ")
        assert f" · bài: {c.article_title}" in footer
    assert shown["headings"] == [t.label for t in report.issues]
    assert shown["provinces"] == [h.province for h in report.hotspots]
    assert [t.key for t in report.issues] <= shown["topics"]
    assert shown["keys"] == [s.spike.key for s in report.spikes]
    for label in [t.label for t in report.issues] + [h.province for h in report.hotspots]:
        assert label in shown["svg"]  # the charts' row labels
    on_screen = [
        report.alias, *(version for version, _ in report.model_versions),
        *(s.message for s in report.spikes),
        *(d.title or d.snippet for s in report.spikes for d in s.spike.documents),
    ]  # fmt: skip
    for text in on_screen:
        assert text in shown["body"]
    for payload in PAYLOADS.values():
        assert payload in shown["body"]
