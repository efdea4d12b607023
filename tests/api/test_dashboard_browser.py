"""The dashboard in a real headless Chromium, against the API on a real port over the seeded
corpus (tests/api/corpus.py) in the real Elasticsearch node, plus one hostile comment.

What the page draws is read back from the DOM and compared with the API's own answers for
the same range and filters. Screenshots of the default, a filtered and the error view, and of
the source health page ("Tình trạng nguồn tin"), go to ``VNOPINION_SCREENSHOTS`` (default
``build/screenshots/``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

from api.app import create_app
from indexer.client import make_client
from indexer.documents import AnyDocument, Article
from indexer.filters import VN_TZ, Vocabulary
from indexer.monitoring import MetricsSnapshot, SourceHealth, publish
from indexer.node import LocalNode
from indexer.text import fold
from tests.api.browser import serve
from tests.api.conftest import seeded_alias
from tests.api.corpus import HN, SPIKE_DAY, Builder, at, build
from tests.browser import full_page_screenshot, screenshot_dir
from tests.conftest import free_port
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]

HOSTILE = (
    'Thử chèn mã <script>window.__xss = "script"</script> '
    "<img src=x onerror=\"window.__xss = 'img'\"> vào bình luận"
)
PANELS = ("trend-panel", "topics-panel", "spikes-panel", "places-panel", "comments-panel")
SETTLED = ("ready", "empty", "error")
WAIT_S = 40
COUNTS = ("count", "negative", "neutral", "positive", "untagged")
# The monitor's index for this module's app: empty until the health page's test publishes.
MONITOR_INDEX = f"t-{uuid.uuid4().hex[:10]}-monitor"

# The bars as drawn: each <g class="bar"> carries its bucket's figures.
DRAWN = """
const chart = document.getElementById("trend-chart");
const svg = chart.querySelector("svg");
return {
  since: chart.dataset.since, until: chart.dataset.until, interval: chart.dataset.interval,
  total: chart.dataset.total, query: chart.dataset.query,
  summary: document.getElementById("trend-summary").textContent,
  labels: [...chart.querySelectorAll(".x-labels text")].map((t) => t.textContent),
  title: svg ? svg.querySelector("title").textContent : null,
  desc: svg ? svg.querySelector("desc").textContent : null,
  labelledby: svg ? svg.getAttribute("aria-labelledby") : null,
  bars: [...chart.querySelectorAll("g.bar")].map((g) => ({ ...g.dataset })),
};
"""


@pytest.fixture(scope="module")
def hostile_corpus() -> list[AnyDocument]:
    """The API tests' corpus and, under the spike's article, a comment written as markup."""
    docs = build()
    land = next(
        d for d in docs if isinstance(d, Article) and d.title.startswith("Hàng trăm hộ dân")
    )
    Builder(docs, comments=5000).comment(
        land, HOSTILE, at(SPIKE_DAY, 23), "negative", likes=1000, keywords=["đền bù"]
    )
    return docs


@pytest.fixture(scope="module")
def site(
    es_node: LocalNode,
    es_settings: Settings,
    hostile_corpus: list[AnyDocument],
    vocabulary: Vocabulary,
) -> Iterator[str]:
    with seeded_alias(es_settings, hostile_corpus) as seeded:
        settings = seeded.model_copy(update={"monitor_index": MONITOR_INDEX})
        with serve(create_app(settings, vocabulary)) as url:
            yield url


@pytest.fixture(scope="module")
def down_site(vocabulary: Vocabulary) -> Iterator[str]:
    """The API pointed at a port where no Elasticsearch listens: every call answers 503."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        api_auth=False,  # about Elasticsearch being away, not about logging in
    )  # fmt: skip
    with serve(create_app(settings, vocabulary)) as url:
        yield url


@pytest.fixture(scope="module")
def shots(pytestconfig: pytest.Config) -> Iterator[Path]:
    folder = screenshot_dir()
    yield folder
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"dashboard screenshots: {folder}")


def api_get(base: str, path: str, **params: Any) -> Any:
    response = httpx.get(base + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait(driver: Any, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(condition, what)


def panel_states(driver: Any) -> dict[str, str]:
    states: dict[str, str] = driver.execute_script(
        "return Object.fromEntries(arguments[0].map((id) => "
        "[id, document.getElementById(id).dataset.state]))",
        list(PANELS),
    )
    return states


def settle(driver: Any, **expected: str) -> dict[str, Any]:
    """Wait until every panel has finished and the chart shows the view whose filters are
    ``expected`` (as the URL's query string has them); return what the chart drew."""

    def done(d: Any) -> dict[str, Any] | None:
        if any(state not in SETTLED for state in panel_states(d).values()):
            return None
        drawn: dict[str, Any] = d.execute_script(DRAWN)
        query = {k: v[0] for k, v in parse_qs((drawn["query"] or "").lstrip("?")).items()}
        shown = {k: v for k, v in query.items() if k not in ("range", "since", "until", "sort")}
        return drawn if shown == expected else None

    drawn: dict[str, Any] = wait(driver, done, f"the dashboard to show {expected}")
    return drawn


def open_page(driver: Any, url: str, **expected: str) -> dict[str, Any]:
    driver.get(url)
    return settle(driver, **expected)


def bars_of(trends: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"start": b["start"][:10], **{k: b[k] for k in COUNTS}} for b in trends["buckets"]]


def drawn_bars(drawn: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"start": b["start"], **{k: int(b[k]) for k in COUNTS}} for b in drawn["bars"]]


def check_chart(site: str, drawn: dict[str, Any], **filters: str) -> dict[str, Any]:
    """The chart's bars and total are the API's for the same range and filters."""
    trends = api_get(
        site, "trends", since=drawn["since"], until=drawn["until"],
        interval=drawn["interval"], **filters,
    )  # fmt: skip
    assert drawn_bars(drawn) == bars_of(trends)
    assert int(drawn["total"]) == trends["total"] == sum(b["count"] for b in trends["buckets"])
    total = f"{trends['total']:,}".replace(",", ".")  # Vietnamese digit grouping
    assert f"Tổng: {total} tài liệu" in drawn["summary"]
    return trends


def browser_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def vn_day(instant: str) -> date:
    return datetime.fromisoformat(instant).astimezone(VN_TZ).date()


def test_default_view_draws_what_the_api_counts(
    driver: Any, site: str, shots: Path, vocabulary: Vocabulary
) -> None:
    browser_errors(driver)  # forget what earlier pages logged
    drawn = open_page(driver, site)

    # The default window: the 30 days up to the newest document the API knows.
    latest = vn_day(api_get(site, "health")["latest_published_at"])
    assert (drawn["since"], drawn["until"]) == (str(latest - timedelta(29)), str(latest))
    trends = check_chart(site, drawn)
    assert trends["total"] > 0
    assert len(drawn["bars"]) == 30
    first = date.fromisoformat(drawn["since"])
    assert drawn["labels"][0] == f"{first:%d/%m}"  # Vietnam days, in a Los Angeles browser
    assert drawn["title"].startswith("Số tài liệu theo cảm xúc")
    assert f"Tổng {trends['total']} tài liệu" in drawn["desc"]
    for element_id in drawn["labelledby"].split():
        assert driver.execute_script(f"return !!document.getElementById('{element_id}')")

    window = {"since": drawn["since"], "until": drawn["until"]}
    topics = api_get(site, "topics", **window)["topics"]
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#topics-table tbody tr')].map((r) => "
        "[r.dataset.topic, r.querySelector('th').textContent])"
    )
    assert rows[0] == [topics[0]["key"], topics[0]["label"]]
    assert {key for key, _ in rows} == {t["key"] for t in topics if t["count"]}

    places = api_get(site, "places", **window)["provinces"]
    shown = driver.execute_script(
        "return [...document.querySelectorAll('#places-list li')].map((li) => li.dataset.province)"
    )
    assert shown == [p["name"] for p in places]

    spikes = api_get(site, "spikes", until=drawn["until"], interval="day", recent=7)["spikes"]
    assert spikes, "the corpus plants a spike on its last day"
    keys = driver.execute_script(
        "return [...document.querySelectorAll('#spikes-list li.spike')].map((li) => li.dataset.key)"
    )
    assert keys == [s["key"] for s in spikes]
    links = driver.execute_script(
        "return [...document.querySelectorAll('#spikes-list a')].map((a) => a.href)"
    )
    assert links
    assert all(link.startswith("https://") for link in links)

    found = api_get(site, "search", kind="comment", sort="time", size=20, **window)
    ids = driver.execute_script(
        "return [...document.querySelectorAll('#comments-list li.hit')].map((li) => li.dataset.id)"
    )
    assert ids == [h["id"] for h in found["hits"]]
    full_page_screenshot(driver, shots / "dashboard-default.png")
    assert browser_errors(driver) == []  # no script error, no CSP violation

    # "Tải thêm" follows the API's cursor: the next 20, none twice.
    driver.find_element("id", "comments-more").click()
    wait(driver, lambda d: len(d.find_elements("css selector", "#comments-list li.hit")) > 20,
         "the second page of comments")  # fmt: skip
    more = api_get(site, "search", kind="comment", sort="time", size=20,
                   cursor=found["next_cursor"], **window)  # fmt: skip
    ids = driver.execute_script(
        "return [...document.querySelectorAll('#comments-list li.hit')].map((li) => li.dataset.id)"
    )
    assert ids == [h["id"] for h in found["hits"] + more["hits"]]
    assert len(set(ids)) == len(ids)


def test_filters_redraw_the_chart_with_the_api_figures(driver: Any, site: str, shots: Path) -> None:
    from selenium.webdriver.support.ui import Select

    everything = open_page(driver, site)
    Select(driver.find_element("id", "f-topic")).select_by_value("dat_dai")
    land = settle(driver, topic="dat_dai")
    check_chart(site, land, topic="dat_dai")
    assert int(land["total"]) < int(everything["total"])
    assert "topic=dat_dai" in driver.current_url

    # Click Hà Nội in the places panel: both filters hold.
    driver.find_element("css selector", f'#places-list li[data-province="{HN}"] button').click()
    both = settle(driver, topic="dat_dai", province=HN)
    trends = check_chart(site, both, topic="dat_dai", province=HN)
    assert 0 < trends["total"] <= int(land["total"])
    selected = driver.find_element("css selector", "#topics-table tr.selected")
    assert selected.get_attribute("data-topic") == "dat_dai"
    full_page_screenshot(driver, shots / "dashboard-filtered.png")

    # The URL is the view: opening it again shows the same figures.
    shared = open_page(driver, driver.current_url, topic="dat_dai", province=HN)
    assert drawn_bars(shared) == drawn_bars(both)

    # A topic clicked in the table filters too (and clicking it again lifts the filter).
    driver.find_element("css selector", '#topics-table tr[data-topic="dat_dai"] button').click()
    check_chart(site, settle(driver, province=HN), province=HN)


def test_comment_search_highlights_the_query_words(driver: Any, site: str) -> None:
    drawn = open_page(driver, site + "?" + urlencode({"q": "den bu"}), q="den bu")
    window = {"since": drawn["since"], "until": drawn["until"]}
    found = api_get(site, "search", kind="comment", q="den bu", sort="relevance", **window)
    panel = driver.find_element("id", "comments-panel")
    assert int(panel.get_attribute("data-total")) == found["total"] > 0
    marks = driver.execute_script(
        "return [...document.querySelectorAll('#comments-list mark')].map((m) => m.textContent)"
    )
    assert "đền" in marks  # typed without diacritics, found and marked with them
    assert {fold(m).lower() for m in marks} <= {"den", "bu"}
    items = driver.find_elements("css selector", "#comments-list li.hit")
    assert all(item.find_elements("css selector", "mark") for item in items)
    check_chart(site, drawn, q="den bu")


def test_markup_in_a_comment_is_shown_as_text_and_never_runs(driver: Any, site: str) -> None:
    open_page(driver, site)
    texts = driver.execute_script(
        "return [...document.querySelectorAll('#comments-list li.hit .text')]"
        ".map((p) => p.textContent)"
    )
    assert HOSTILE in texts  # the literal characters, on screen
    spiked = driver.execute_script(
        "return [...document.querySelectorAll('#spikes-list a')].map((a) => a.textContent)"
    )
    assert HOSTILE in spiked

    # Highlighted snippets are rebuilt from text nodes and <mark> only.
    open_page(driver, site + "?q=script", q="script")
    hostile = [
        item for item in driver.find_elements("css selector", "#comments-list li.hit")
        if "onerror" in item.get_attribute("textContent")
    ]  # fmt: skip
    assert len(hostile) == 1
    text = hostile[0].find_element("css selector", ".text").get_attribute("textContent")
    assert '<script>window.__xss = "script"</script>' in text
    assert hostile[0].find_elements("css selector", "mark")
    for page_check in (
        "return window.__xss",
        "return document.querySelectorAll('main img, main script').length || null",
    ):
        assert driver.execute_script(page_check) is None


def test_elasticsearch_down_shows_a_message_not_a_blank_page(
    driver: Any, down_site: str, shots: Path
) -> None:
    driver.get(down_site)
    # The banner is redrawn as each panel fails: read it once every panel has.
    wait(driver, lambda d: set(panel_states(d).values()) == {"error"}, "every panel in error")
    banner = wait(
        driver,
        lambda d: (b := d.find_element("id", "error-banner")).is_displayed() and b,
        "the error banner",
    )
    assert banner.get_attribute("data-status") == "503"
    assert "Elasticsearch) đang không sẵn sàng" in banner.text
    full_page_screenshot(driver, shots / "dashboard-error.png")


def test_a_refused_filter_shows_the_reason(driver: Any, site: str) -> None:
    driver.get(site + "?range=custom&since=2026-11-20&until=2026-11-01")
    banner = wait(
        driver,
        lambda d: (b := d.find_element("id", "error-banner")).is_displayed() and b,
        "the error banner",
    )
    assert banner.get_attribute("data-status") == "422"
    assert "Bộ lọc không hợp lệ" in banner.text
    assert "until must be after since" in banner.text


def source_health(key: str, name: str, domain: str, status: str, **values: Any) -> SourceHealth:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "source": key, "name": name, "status": status, "reason": None, "interval_s": 900.0,
        "last_cycle_at": now - timedelta(minutes=4), "last_success_at": now - timedelta(minutes=4),
        "next_due_at": now + timedelta(minutes=11), "cycles": 30, "documents_last_cycle": 42,
        "documents_per_cycle": 38.5, "error_rate": 0.02, "last_error": None,
        "last_error_kind": None, "last_error_at": None, "consecutive_failures": 0,
        "threads_followed": 80, "domain": domain,
    }  # fmt: skip
    fields.update(values)
    return SourceHealth(**fields)


HEALTH_ROWS = """
return [...document.querySelectorAll('#health-table tbody tr')].map((tr) => ({
  source: tr.dataset.source, status: tr.dataset.status,
  badge: tr.querySelector('.badge').textContent,
  success: tr.querySelector('.last-success').textContent,
  perCycle: tr.querySelector('.per-cycle').textContent,
  errorRate: tr.querySelector('.error-rate').textContent,
  error: tr.querySelector('.error').textContent,
  reason: tr.querySelector('.reason').textContent,
}));
"""


def test_source_health_page_shows_each_source_status(
    driver: Any, site: str, shots: Path, es_settings: Settings
) -> None:
    now = datetime.now(UTC)
    reason = "Bị chặn bởi trang thử thách Cloudflare (blocked by a Cloudflare challenge page)"
    healthy = source_health("vnexpress", "VnExpress", "vnexpress.net", "ok")
    broken = source_health(
        "tuoitre", "Tuổi Trẻ", "tuoitre.vn", "broken", reason=reason,
        last_success_at=now - timedelta(hours=3), documents_last_cycle=0, error_rate=0.6,
        last_error="HTTP 403 on https://tuoitre.vn/rss/tin-moi-nhat.rss",
        last_error_kind="blocked", last_error_at=now - timedelta(minutes=4),
        consecutive_failures=2,
    )  # fmt: skip
    snapshot = MetricsSnapshot(
        updated_at=now, started_at=now - timedelta(hours=8), cycles=30, cycle_failures=0,
        cycle_duration_s_sum=600.0, last_cycle_id="c-30", last_cycle_duration_s=20.0,
        model_version=None, spool_pending=0, threads_followed=160, threads_due=3, sources_due=0,
    )  # fmt: skip
    client = make_client(es_settings)
    try:
        publish(client, MONITOR_INDEX, [healthy, broken], snapshot)
        browser_errors(driver)
        driver.get(site + "source-health")
        wait(driver, lambda d: d.find_element("id", "health-panel").get_attribute("data-state")
             in SETTLED, "the source health panel")  # fmt: skip
        assert driver.find_element("id", "health-panel").get_attribute("data-state") == "ready"
        rows = {row["source"]: row for row in driver.execute_script(HEALTH_ROWS)}

        # Worst first; the corpus's third source has documents but no monitor health.
        assert list(rows) == ["tuoitre.vn", "dantri.com.vn", "vnexpress.net"]
        assert [r["badge"] for r in rows.values()] == ["Hỏng", "Chưa chạy", "Bình thường"]
        assert rows["vnexpress.net"]["status"] == "ok"
        assert rows["vnexpress.net"]["success"] == "4 phút trước"
        assert rows["vnexpress.net"]["perCycle"].startswith("38,5")  # Vietnamese decimal comma
        assert rows["vnexpress.net"]["errorRate"] == "2%"
        assert rows["vnexpress.net"]["reason"] == "–"
        assert rows["tuoitre.vn"]["status"] == "broken"
        assert rows["tuoitre.vn"]["success"] == "3 giờ trước"
        assert rows["tuoitre.vn"]["errorRate"] == "60%"
        assert rows["tuoitre.vn"]["error"].startswith("Bị chặn: HTTP 403 on https://tuoitre.vn")
        assert rows["tuoitre.vn"]["reason"] == reason
        summary = driver.find_element("id", "health-summary").text
        assert summary == "3 nguồn: 1 hỏng, 1 chưa chạy, 1 bình thường"
        full_page_screenshot(driver, shots / "dashboard-source-health.png")
        assert browser_errors(driver) == []

        # The dashboard links to the page.
        open_page(driver, site)
        link = driver.find_element("css selector", 'a[href="source-health"]')
        assert link.text == "Tình trạng nguồn tin"
    finally:
        client.options(ignore_status=404).indices.delete(index=MONITOR_INDEX)
        client.close()
