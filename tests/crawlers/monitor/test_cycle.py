"""One monitor cycle's crawl in a child process (crawlers.monitor.cycle), offline.

Saved VnExpress pages from ../shared are served at their real URLs from 127.0.0.1
(crawlers/replay.py); documents go to a JSON Lines file, so no Elasticsearch is needed. Each
cycle is a real child process: what is checked is the report the monitor gets back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from crawlers.comments.base import ArticleRef
from crawlers.extract.article import article_links
from crawlers.monitor.crawl_cycle import outcome_from_stats, spider_jobs
from crawlers.monitor.cycle import run_cycle, settings_env
from crawlers.monitor.model import CyclePlan, CycleReport, ThreadPoll
from crawlers.pipeline import STATE_FILE
from crawlers.replay import LocalSites, file_page, page_key
from crawlers.sources import EntryPoint, Limits, Source, SourcesFile, load_sources
from crawlers.state import CrawlState
from tests.conftest import free_port
from tests.shared import site_fixture
from vnopinion.settings import Settings

ARTICLE_SLUG = "cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363"
ARTICLE = f"https://vnexpress.net/{ARTICLE_SLUG}.html"
LISTING = "https://vnexpress.net/kinh-doanh"
COMMENTS = (
    "https://usi-saas.vnexpress.net/index/get?objectid=5047363&objecttype=1"
    "&siteid=1003159&categoryid=1003938&offset=0&limit=24"
)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"}


def vnexpress() -> Source:
    """VnExpress as configured, read from its saved listing only; every thread is young."""
    source = load_sources()["vnexpress"]
    return source.model_copy(update={
        "entry_points": [EntryPoint(kind="section", url=LISTING)],
        "limits": Limits(comments_refresh_days=3650, download_delay_s=0),
    })  # fmt: skip


def site(key: str) -> Source:
    """A made-up source with one listing page and no comments."""
    return Source(key=key, name=key, domains=[f"{key}.example.vn"],
                  entry_points=[EntryPoint(kind="section", url=f"https://{key}.example.vn/moi")],
                  article_url_patterns=[r"-\d{5,}\.html$"])  # fmt: skip


def write_sources(path: Path, sources: list[Source]) -> Path:
    data = SourcesFile(sources=sources).model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def settings_for(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", nlp_workers=1,  # type: ignore[call-arg]
                    nlp_entities=False)  # fmt: skip


def documents(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def sites() -> Iterator[LocalSites]:
    pages = {
        page_key(LISTING): file_page(site_fixture("vnexpress.net", "category-kinh-doanh.html")),
        page_key(ARTICLE): file_page(site_fixture("vnexpress.net", f"article-{ARTICLE_SLUG}.html")),
        page_key(COMMENTS): file_page(
            site_fixture("vnexpress.net", "comments-5101768-objecttype1-offset0.json"),
            "application/json",
        ),
    }  # fmt: skip
    local = LocalSites(pages)
    yield local
    local.close()


def cycle(settings: Settings, plan: CyclePlan, sources: Path, base: str, out: Path,
          **kwargs: Any) -> CycleReport:  # fmt: skip
    kwargs.setdefault("overrides", FAST)
    return run_cycle(settings, plan, sources_file=sources,
                     extra_args={"replay_base": base, "out": str(out)}, **kwargs)  # fmt: skip


def test_settings_travel_to_the_child_in_its_environment(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, es_password="s3cret pass",  # type: ignore[call-arg]
                        api_cors_origins=["https://a.vn"], nlp_workers=1)  # fmt: skip
    env = settings_env(settings, base={"PATH": "/bin", "VNOPINION_ES_URL": "http://other:1"})
    assert env["PATH"] == "/bin"
    assert env["VNOPINION_ES_URL"] == settings.es_url  # the caller's settings win
    assert env["VNOPINION_ES_PASSWORD"] == "s3cret pass"
    monkey = pytest.MonkeyPatch()
    try:
        for key in [k for k in os.environ if k.startswith("VNOPINION_")]:
            monkey.delenv(key)
        for key, value in env.items():
            if key.startswith("VNOPINION_"):
                monkey.setenv(key, value)
        assert Settings(_env_file=None) == settings  # type: ignore[call-arg]
    finally:
        monkey.undo()


def test_a_cycle_crawls_a_source_then_repolls_exactly_the_planned_threads(
    sites: LocalSites, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path)
    sources = write_sources(tmp_path / "sources.yaml", [vnexpress()])
    out = tmp_path / "docs.jsonl"
    report = cycle(settings, CyclePlan("c1", ("vnexpress",)), sources, sites.base_url, out)

    assert report.crashed is None
    assert report.cycle_id == "c1"
    first = report.outcomes["vnexpress"]
    listing = site_fixture("vnexpress.net", "category-kinh-doanh.html").read_text("utf-8")
    source = vnexpress()
    links = {u for u in article_links(listing, LISTING, source) if source.is_article_url(u)}
    assert first.crawled_entry_points
    assert first.listed == len(links) > 1
    assert (first.articles, first.comments) == (1, 5)
    article = next(d for d in documents(out) if d["kind"] == "article")
    assert first.thread_comments == {article["id"]: 5}
    assert first.stored == 6
    assert first.failed == 0
    # Only one listed article (and its comments) is saved: every other request the spider
    # made (articles, comment replies) answered 404, counted; the latest is kept.
    missing = [r for r in sites.requests if r not in sites.pages and not r.endswith("robots.txt")]
    assert len(missing) >= len(links) - 1
    assert first.http_errors == {"404": len(missing)}
    assert first.last_error_kind == "http"
    assert first.last_error.startswith("HTTP 404 on https://")
    assert first.blocked == first.network_errors == first.parse_failures == 0

    # Second cycle: the thread only (entry points not due): one comment request, nothing else.
    state = CrawlState(settings.data_dir / STATE_FILE)
    try:
        threads = state.threads_to_refresh("vnexpress", 3650)
    finally:
        state.close()
    assert [doc_id for doc_id, _ in threads] == [article["id"]]
    polls = tuple(ThreadPoll(doc_id, "vnexpress", ref) for doc_id, ref in threads)
    before = len(sites.requests)
    report = cycle(settings, CyclePlan("c2", (), polls), sources, sites.base_url, out)
    again = [r for r in sites.requests[before:] if not r.endswith("robots.txt")]
    assert report.crashed is None
    second = report.outcomes["vnexpress"]
    assert not second.crawled_entry_points
    # The thread's first page, then its reply lists (not saved: 404): no listing, no article.
    assert again[0] == page_key(COMMENTS)
    assert all(r.startswith("usi-saas.vnexpress.net/index/get") for r in again)
    assert (second.listed, second.articles, second.comments) == (0, 0, 5)
    assert second.thread_comments == {article["id"]: 5}
    assert second.http_errors == {"404": len(again) - 1}
    assert second.blocked == second.network_errors == second.parse_failures == 0

    # Third cycle: entry points due, no thread planned: the young thread is not re-polled
    # (without `threads`, `vnopinion crawl` would), the stored article is not fetched again.
    before = len(sites.requests)
    report = cycle(settings, CyclePlan("c3", ("vnexpress",)), sources, sites.base_url, out)
    again = sites.requests[before:]
    third = report.outcomes["vnexpress"]
    assert page_key(COMMENTS) not in again
    assert page_key(ARTICLE) not in again
    assert page_key(LISTING) in again
    assert (third.listed, third.articles, third.comments) == (len(links), 0, 0)
    assert third.thread_comments == {}


class Answers:
    """A local server answering each page key with (status, body), or dropping the
    connection without an answer (None); anything else is a 404."""

    def __init__(self, answers: dict[str, tuple[int, bytes] | None]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                key = self.path.lstrip("/")
                if key in answers and answers[key] is None:
                    self.close_connection = True
                    return
                status, body = answers.get(key) or (404, b"")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_refusals_blocks_and_dropped_connections_are_told_apart(tmp_path: Path) -> None:
    challenge = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html")
    page = challenge.read_bytes()
    keys = ["forbidden", "challenged", "blocked403", "dropped"]
    answers: dict[str, tuple[int, bytes] | None] = {
        "forbidden.example.vn/moi": (403, b"<html><title>403 Forbidden</title></html>"),
        "challenged.example.vn/moi": (200, page),
        "blocked403.example.vn/moi": (403, page),
        "dropped.example.vn/moi": None,
    }
    server = Answers(answers)
    sources = write_sources(tmp_path / "sources.yaml", [site(k) for k in keys])
    try:
        report = cycle(settings_for(tmp_path), CyclePlan("c", tuple(keys)), sources,
                       server.base_url, tmp_path / "docs.jsonl",
                       overrides={**FAST, "RETRY_TIMES": 1})  # fmt: skip
    finally:
        server.close()
    assert report.crashed is None
    forbidden, challenged = report.outcomes["forbidden"], report.outcomes["challenged"]
    blocked, dropped = report.outcomes["blocked403"], report.outcomes["dropped"]
    assert forbidden.http_errors == {"403": 1}
    assert forbidden.last_error_kind == "http"
    assert forbidden.last_error == "HTTP 403 on https://forbidden.example.vn/moi"
    for outcome in (challenged, blocked):
        assert outcome.blocked == 1
        assert outcome.http_errors == {}
        assert outcome.last_error_kind == "blocked"
        assert outcome.last_error.startswith("Cloudflare challenge on https://")
    assert blocked.last_error.endswith("(HTTP 403)")
    assert dropped.network_errors == 1
    assert dropped.last_error_kind == "network"
    assert "https://dropped.example.vn/moi" in dropped.last_error
    for outcome in report.outcomes.values():
        assert outcome.crawled_entry_points
        assert outcome.listed == outcome.articles == 0


def test_a_dead_port_is_a_network_error(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.yaml", [site("gone")])
    dead = f"http://127.0.0.1:{free_port()}"
    report = cycle(settings_for(tmp_path), CyclePlan("c", ("gone",)), sources, dead,
                   tmp_path / "docs.jsonl", overrides={**FAST, "RETRY_TIMES": 0})  # fmt: skip
    gone = report.outcomes["gone"]
    assert report.crashed is None
    assert gone.network_errors == 1
    assert gone.last_error_kind == "network"
    assert "ConnectionRefused" in gone.last_error
    assert gone.http_errors == {}


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def child_pid(caplog: pytest.LogCaptureFixture) -> int:
    for record in caplog.records:
        found = re.search(r"crawl process (\d+) started", record.getMessage())
        if found:
            return int(found.group(1))
    raise AssertionError("run_cycle did not log its child's pid")


def test_a_cycle_over_its_time_is_killed_with_its_process_group(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    sources = write_sources(tmp_path / "sources.yaml", [site("slow")])
    local = LocalSites({}, before_response=lambda key: release.wait(120))
    caplog.set_level(logging.INFO, logger="crawlers.monitor.cycle")
    try:
        plan = CyclePlan("late", ("slow",))
        report = cycle(settings_for(tmp_path), plan, sources, local.base_url,
                       tmp_path / "docs.jsonl", timeout_s=20)  # fmt: skip
    finally:
        release.set()
        local.close()
    assert report.crashed == "over 20 s"
    slow = report.outcomes["slow"]
    assert slow.crawled_entry_points
    assert slow.last_error_kind == "crash"
    assert group_members(child_pid(caplog)) == []


def test_a_child_that_dies_gives_a_crash_report_with_its_last_words(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "sources.yaml", [site("known")])
    thread = ThreadPoll("doc-1", "other", ArticleRef(ARTICLE, "5047363"))
    plan = CyclePlan("dies", ("nosuch",), (thread,))
    report = run_cycle(settings_for(tmp_path), plan, sources_file=sources, timeout_s=120)
    assert report.crashed is not None
    assert report.crashed.startswith("exit code 1, no report")
    assert "unknown source(s) ['nosuch', 'other']" in report.crashed
    assert set(report.outcomes) == {"nosuch", "other"}
    assert report.outcomes["nosuch"].crawled_entry_points
    assert not report.outcomes["other"].crawled_entry_points
    assert {o.last_error_kind for o in report.outcomes.values()} == {"crash"}


def test_a_stopping_monitor_kills_the_cycle_then_stops(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reached, release = threading.Event(), threading.Event()

    def hold(key: str) -> None:
        reached.set()
        release.wait(600)

    # The child loads the tagger before its first request: minutes on a loaded machine (CI).
    def interrupt() -> None:  # Ctrl-C (or SIGTERM turned into SystemExit) in the monitor
        if reached.wait(540):
            # A real SIGINT: it interrupts the main thread's blocking wait on the child
            # (_thread.interrupt_main only flags it, and a blocked wait never looks).
            os.kill(os.getpid(), signal.SIGINT)

    sources = write_sources(tmp_path / "sources.yaml", [site("slow")])
    local = LocalSites({}, before_response=hold)
    caplog.set_level(logging.INFO, logger="crawlers.monitor.cycle")
    # The monitor's SIGINT handler is Python's own; an earlier test in this process may have
    # left another (an in-process crawl's), which would swallow the signal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Thread(target=interrupt, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cycle(settings_for(tmp_path), CyclePlan("stop", ("slow",)), sources, local.base_url,
                  tmp_path / "docs.jsonl", timeout_s=600)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
        release.set()
        local.close()
    assert reached.is_set()
    assert group_members(child_pid(caplog)) == []


def test_an_empty_plan_starts_no_crawl(tmp_path: Path) -> None:
    report = run_cycle(settings_for(tmp_path), CyclePlan("idle", ()), timeout_s=1)
    assert report.outcomes == {}
    assert report.crashed is None


def test_one_crawler_per_due_source_and_one_per_source_with_threads_only() -> None:
    sources = {k: site(k) for k in ("a", "b", "c")}
    ref = ArticleRef(ARTICLE, "5047363")
    plan = CyclePlan("p", ("a",), (ThreadPoll("1", "a", ref), ThreadPoll("2", "b", ref)))
    jobs = spider_jobs(plan, sources)
    assert [(key, entry_points) for key, entry_points, _ in jobs] == [("a", True), ("b", False)]
    assert [t.doc_id for t in jobs[0][2]["threads"]] == ["1"]
    assert jobs[1][2]["entry_points"] is False
    assert spider_jobs(CyclePlan("q", ("c",)), sources)[0][2]["threads"] == []  # not None


def test_outcome_from_stats_reads_the_spider_and_pipeline_counts() -> None:
    stats = {"vnopinion/listed": 7, "vnopinion/fetched/article": 2,
             "vnopinion/fetched/comment": 9, "vnopinion/stored": 11,
             "vnopinion/indexed/created": 10, "vnopinion/indexed/unchanged": 1,
             "vnopinion/http_errors/404": 3, "vnopinion/http_errors/503": 1,
             "vnopinion/thread_comments/abc": 0, "response_received_count": 14,
             "spider_exceptions/count": 2, "finish_reason": "finished"}  # fmt: skip
    outcome = outcome_from_stats("a", True, stats)
    assert (outcome.listed, outcome.articles, outcome.comments) == (7, 2, 9)
    assert (outcome.stored, outcome.indexed, outcome.responses) == (11, 11, 14)
    assert outcome.http_errors == {"404": 3, "503": 1}
    assert outcome.thread_comments == {"abc": 0}
    assert outcome.parse_failures == 2  # exceptions in our callbacks: pages we could not read
    assert outcome.last_error_kind == "parse"
    assert outcome.errors == 6


def test_a_crawler_that_never_ran_is_a_crash_not_a_quiet_source() -> None:
    failed = outcome_from_stats("a", True, {"vnopinion/crawler_failed": "OSError: disk full"})
    assert (failed.last_error_kind, failed.last_error) == (
        "crash",
        "crawler failed: OSError: disk full",
    )
    unfinished = outcome_from_stats("b", True, {"vnopinion/listed": 3})
    assert unfinished.last_error_kind == "crash"
    assert unfinished.last_error is not None
    assert "never finished" in unfinished.last_error


def test_a_crawler_whose_stores_will_not_open_is_reported_as_crashed(
    sites: LocalSites, tmp_path: Path
) -> None:
    """Its pipeline fails to open (here the crawl state's path is a directory): the other
    spiders go on, and the source's outcome says why instead of looking like a quiet site."""
    settings = settings_for(tmp_path)
    (settings.data_dir / STATE_FILE).mkdir(parents=True)
    sources = write_sources(tmp_path / "sources.yaml", [vnexpress()])
    report = cycle(settings, CyclePlan("c", ("vnexpress",)), sources, sites.base_url,
                   tmp_path / "docs.jsonl")  # fmt: skip
    assert report.crashed is None  # the process itself ended well
    outcome = report.outcomes["vnexpress"]
    assert outcome.last_error_kind == "crash"
    assert outcome.last_error is not None
    assert "unable to open database file" in outcome.last_error
    assert documents(tmp_path / "docs.jsonl") == []


def test_a_cycle_indexes_into_elasticsearch_with_the_callers_credentials(
    es: Elasticsearch, es_settings: Settings, alias: str, sites: LocalSites, tmp_path: Path
) -> None:
    """Settings (the ES URL, and the password when the node is secured) reach the child
    only through its environment."""
    settings = es_settings.model_copy(update={
        "data_dir": tmp_path / "data", "index_alias": alias, "nlp_workers": 1,
        "nlp_entities": False,
    })  # fmt: skip
    sources = write_sources(tmp_path / "sources.yaml", [vnexpress()])
    report = run_cycle(settings, CyclePlan("es", ("vnexpress",)), sources_file=sources,
                       overrides=FAST, extra_args={"replay_base": sites.base_url})  # fmt: skip
    outcome = report.outcomes["vnexpress"]
    assert report.crashed is None
    assert (outcome.articles, outcome.comments) == (1, 5)
    assert outcome.stored == outcome.indexed == 6
    assert outcome.spooled == outcome.failed == 0
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 6
