"""The fetch journal (crawlers/journal.py): append, acknowledge, replay, torn lines, deletion;
and a crawl SIGKILLed before its batch was stored: nothing lost, nothing fetched twice."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawlers.comments.base import ArticleRef
from crawlers.items import FetchedArticle
from crawlers.journal import Journal, JournalItem, replay, replay_journal, segments
from crawlers.pipeline import STATE_FILE
from crawlers.replay import LocalSites
from crawlers.state import CrawlState
from indexer.documents import Article, Comment, article_id
from indexer.node import LocalNode
from tests.crawlers.test_killed_crawl import ORIGIN, article_count, serve_sample_site
from tests.crawlers.test_killed_crawl import start_crawl as start_replay_crawl
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def fetched(n: int) -> FetchedArticle:
    url = f"https://tindansinh.demo/xa-hoi/bai-viet-{n}.html"
    article = Article(
        id=article_id(url), source="tindansinh.demo", source_name="Tin Dân Sinh", url=url,
        title=f"Bài viết số {n}", text="Người dân phản ánh đường sá xuống cấp.",
        published_at=NOW, crawled_at=NOW,
    )  # fmt: skip
    ref = ArticleRef(url=url, site_article_id=str(n), extra={"type": "1"})
    return FetchedArticle(article, "tindansinh", [url, url + "?utm=rss"], ref)


def comment(n: int) -> Comment:
    return Comment(
        id=f"tindansinh.demo:{n}", source="tindansinh.demo", source_name="Tin Dân Sinh",
        url=f"https://tindansinh.demo/a.html#comment-{n}", parent_id="a", thread_id="a",
        text="Mong chính quyền sớm sửa đường.", published_at=NOW, crawled_at=NOW,
    )  # fmt: skip


class Collector:
    """A ``store`` for ``replay``: keeps what it is handed; fails when told to."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.items: list[JournalItem] = []
        self.fail_after = fail_after

    def __call__(self, items: list[JournalItem]) -> bool:
        if self.fail_after is not None and len(self.items) >= self.fail_after:
            return False
        self.items.extend(items)
        return True


def ids(items: list[JournalItem]) -> list[str]:
    return [i.document.id if isinstance(i, FetchedArticle) else i.id for i in items]


def test_unacknowledged_entries_replay_whole_and_the_segment_goes(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    tickets = [journal.append(fetched(1)), journal.append(comment(2)), journal.append(fetched(3))]
    journal.sync()
    journal.ack(tickets[:1])
    journal.close()  # a crawl that ended with its last batch unstored

    store = Collector()
    report = replay(tmp_path, store, chunk_size=10)
    assert store.items == [comment(2), fetched(3)]  # in order; the article with URLs and ref
    assert (report.entries, report.stored, report.segments) == (2, 2, 1)
    assert segments(tmp_path) == []
    assert replay(tmp_path, Collector(), chunk_size=10).entries == 0


def test_acknowledged_segments_are_deleted_as_they_rotate_out(tmp_path: Path) -> None:
    journal = Journal(tmp_path, max_entries=2)
    tickets = [journal.append(comment(n)) for n in range(5)]
    journal.sync()
    assert len(segments(tmp_path)) == 3
    journal.ack(tickets[:2])  # the first segment is full and done with
    assert len(segments(tmp_path)) == 2
    journal.ack(tickets[2:])
    assert len(segments(tmp_path)) == 1  # the segment being written stays until close
    journal.close()
    assert segments(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_live_writers_segment_is_not_replayed(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(comment(1))
    journal.sync()
    store = Collector()
    report = replay(tmp_path, store, chunk_size=10)
    assert (report.busy, store.items) == (1, [])
    journal.close()
    assert replay(tmp_path, store, chunk_size=10).stored == 1
    assert ids(store.items) == [comment(1).id]


def test_a_segment_a_kill_left_unnamed_is_removed(tmp_path: Path) -> None:
    (tmp_path / ".journal-00000000000000000001-1-abcd1234.jsonl.new").write_bytes(b"")
    assert replay(tmp_path, Collector(), chunk_size=10).entries == 0
    assert list(tmp_path.iterdir()) == []


def test_a_torn_last_line_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(tmp_path)
    journal.append(comment(1))
    journal.append(comment(2))
    journal.close()
    [segment] = segments(tmp_path)
    whole = segment.read_bytes()
    with segment.open("ab") as handle:  # a kill in the middle of a write
        handle.write(whole.splitlines()[0][:37])
    store = Collector(fail_after=1)  # the second chunk fails: an ack follows the torn line
    with caplog.at_level(logging.WARNING, logger="crawlers.journal"):
        report = replay(tmp_path, store, chunk_size=1)
    assert (report.torn, report.stored, report.kept) == (1, 1, 1)
    assert "torn" in caplog.text
    store = Collector()
    report = replay(tmp_path, store, chunk_size=1)
    assert ids(store.items) == [comment(2).id]  # the acked one is not handed over again
    assert (report.torn, report.segments) == (1, 1)
    assert segments(tmp_path) == []


def test_a_failed_store_keeps_the_entries_for_the_next_replay(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for n in range(4):
        journal.append(comment(n))
    journal.close()
    report = replay(tmp_path, Collector(fail_after=0), chunk_size=2)
    assert (report.entries, report.stored, report.kept) == (4, 0, 1)
    store = Collector()
    assert replay(tmp_path, store, chunk_size=2).stored == 4
    assert ids(store.items) == [comment(n).id for n in range(4)]


def test_replay_journal_with_nothing_to_replay_loads_nothing(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, es_url="http://127.0.0.1:9")  # type: ignore[call-arg]
    report = replay_journal(settings, tmp_path / "journal")
    assert report.entries == 0


def test_per_item_fsync_is_cheap(tmp_path: Path) -> None:
    """The pipeline fsyncs per group of items; even one fsync per item must stay cheap."""
    journal = Journal(tmp_path)
    started = time.perf_counter()
    for n in range(200):
        journal.ack([journal.append(comment(n))])
        journal.sync()
    per_item_ms = (time.perf_counter() - started) * 1000 / 200
    journal.close()
    print(f"[journal] append + fsync + ack: {per_item_ms:.2f} ms per item")
    assert per_item_ms < 50


# -- a real crawl, killed ------------------------------------------------------------------


@pytest.fixture
def slow_site() -> Iterator[LocalSites]:
    local = serve_sample_site(delay_s=0.2)
    yield local
    local.close()


def start_crawl(
    site: LocalSites, data_dir: Path, settings: Settings, alias: str, chunk: int
) -> subprocess.Popen[str]:
    return start_replay_crawl(site, data_dir, settings, alias, chunk, data_dir / "journal")


def journaled_entries(journal_dir: Path) -> int:
    return sum(p.read_bytes().count(b'"seq"') for p in segments(journal_dir))


def journaled_article_paths(journal_dir: Path) -> set[str]:
    """The paths of the articles whose entries are whole in the journal (a kill may tear
    the last line)."""
    found = set()
    for segment in segments(journal_dir):
        for line in segment.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "fetched" in entry:
                found.add(entry["doc"]["url"].removeprefix(ORIGIN))
    return found


@pytest.mark.es
@pytest.mark.slow
def test_a_crawl_killed_before_its_batch_was_stored_loses_nothing_and_refetches_nothing(
    es_node: LocalNode,
    es_settings: Settings,
    es: Elasticsearch,
    alias: str,
    slow_site: LocalSites,
    tmp_path: Path,
) -> None:
    paths = {a.path for a in load_site().articles}
    data_dir = tmp_path / "data"
    journal_dir = data_dir / "journal"
    first = start_crawl(slow_site, data_dir, es_settings, alias, chunk=1000)
    deadline = time.monotonic() + 180
    while journaled_entries(journal_dir) < 4 and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()[1][-3000:]
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    journaled = journaled_entries(journal_dir)
    assert 4 <= journaled < len(paths), "the kill must land mid-run"
    assert article_count(es, alias) == 0, "nothing was stored before the kill"
    state = CrawlState(data_dir / STATE_FILE)
    recorded = {p for p in paths if state.is_stored(ORIGIN + p)}
    state.close()
    requested_before = {r.removeprefix("tindansinh.demo") for r in slow_site.requests}
    # An article is recorded as fetched only once its entry is fsync'd (group commit: the
    # entries appended during the last fsync may not be recorded yet; the replay stores them).
    assert recorded, "no journaled article was recorded before the kill"
    assert recorded <= journaled_article_paths(journal_dir)
    assert recorded <= requested_before

    slow_site.requests.clear()
    second = start_crawl(slow_site, data_dir, es_settings, alias, chunk=3)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["outside_attempts"] == []
    assert report["report"]["errors"] == 0, err[-4000:]

    refetched = {r.removeprefix("tindansinh.demo") for r in slow_site.requests} & recorded
    assert refetched == set(), "articles journaled before the kill were requested again"
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, source_includes=["url"])["hits"]["hits"]
    urls = [h["_source"]["url"].removeprefix(ORIGIN) for h in hits]
    assert sorted(urls) == sorted(paths), f"{report}\n{err[-4000:]}"  # each once, none lost
    assert segments(journal_dir) == []  # all acknowledged
    print(
        f"[journal crawl] SIGKILL with {journaled} entries journaled, {len(recorded)} recorded,"
        f" 0 stored; second run requested {len(slow_site.requests)} pages, refetched "
        f"{len(refetched)}; articles in the index {len(urls)}, distinct {len(set(urls))}"
    )


@pytest.mark.es
@pytest.mark.slow
def test_replay_journal_stores_what_a_killed_crawl_left(
    es_node: LocalNode, es_settings: Settings, es: Elasticsearch, alias: str, tmp_path: Path
) -> None:
    journal_dir = tmp_path / "journal"
    journal = Journal(journal_dir)
    for n in range(3):
        journal.append(fetched(n))
    journal.append(comment(9))
    journal.close()
    settings = es_settings.model_copy(update={"data_dir": tmp_path, "index_alias": alias})
    report = replay_journal(settings, journal_dir)
    assert (report.entries, report.stored, report.segments) == (4, 4, 1)
    assert article_count(es, alias) == 4
    state = CrawlState(tmp_path / STATE_FILE)
    assert all(state.is_stored(fetched(n).urls[1]) for n in range(3))
    state.close()
    assert replay_journal(settings, journal_dir).entries == 0
