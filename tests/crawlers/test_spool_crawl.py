"""A crawl while Elasticsearch is away and the spool cannot be written: every batch fails
with a named error, nothing is recorded as stored, and the next crawl fetches it all."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawlers.pipeline import STATE_FILE
from crawlers.replay import LocalSites, Page, page_key
from tests.conftest import REPO_ROOT, cli_env, free_port
from tests.crawlers.test_killed_crawl import ORIGIN, SOURCE, article_count
from vnopinion.demo_site import render
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]


@pytest.fixture
def site() -> Iterator[LocalSites]:
    sample = load_site()
    pages = {page_key(f"{ORIGIN}/rss/tin-moi-nhat.rss"): Page(
        render.rss_feed(sample, ORIGIN).encode(), "application/rss+xml")}  # fmt: skip
    for article in sample.articles:
        pages[page_key(ORIGIN + article.path)] = Page(render.article_page(article).encode())
    local = LocalSites(pages)
    yield local
    local.close()


def crawl(
    site: LocalSites, data_dir: Path, settings: Settings, es_url: str, alias: str
) -> tuple[dict, str]:
    """A crawl into ``es_url`` with ``settings``' credentials (in the environment)."""
    args = {"base": site.base_url, "source": SOURCE, "data_dir": str(data_dir),
            "es_url": es_url, "alias": alias, "chunk": 4}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
        cwd=REPO_ROOT, env=cli_env(settings), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["report"], done.stderr


def stored_articles(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / STATE_FILE) as db:
        return int(db.execute("SELECT COUNT(DISTINCT doc_id) FROM articles").fetchone()[0])


def test_unwritable_spool_fails_the_batches_and_the_next_crawl_fetches_them(
    es: Elasticsearch, es_settings: Settings, alias: str, site: LocalSites, tmp_path: Path
) -> None:
    expected = len(load_site().articles)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "spool").write_text("a file where the spool folder should be")
    away = f"http://127.0.0.1:{free_port()}"

    report, log = crawl(site, data_dir, es_settings, away, alias)
    assert (report["articles"], report["failed"]) == (expected, expected), log[-3000:]
    assert (report["spooled"], report["errors"] > 0) == (0, True)
    assert "Cannot write the spool" in log
    assert "writable folder" in log  # the hint
    assert stored_articles(data_dir) == 0
    assert (data_dir / "spool").read_text() == "a file where the spool folder should be"

    (data_dir / "spool").unlink()
    again, log = crawl(site, data_dir, es_settings, es_settings.es_url, alias)
    assert (again["skipped_known"], again["failed"], again["errors"]) == (0, 0, 0), log[-3000:]
    assert again["created"] == expected
    assert stored_articles(data_dir) == expected
    assert article_count(es, alias) == expected


def test_crawl_while_elasticsearch_is_away_spools_and_counts_as_stored(
    es: Elasticsearch, es_settings: Settings, alias: str, site: LocalSites, tmp_path: Path
) -> None:
    expected = len(load_site().articles)
    data_dir = tmp_path / "data"
    away = f"http://127.0.0.1:{free_port()}"

    report, log = crawl(site, data_dir, es_settings, away, alias)
    assert (report["spooled"], report["failed"], report["created"]) == (expected, 0, 0), log
    assert stored_articles(data_dir) == expected  # durable on disk: not fetched again

    # The next crawl finds nothing new, and replays the spool as it opens.
    again, log = crawl(site, data_dir, es_settings, es_settings.es_url, alias)
    assert (again["articles"], again["skipped_known"]) == (0, expected), log[-3000:]
    assert (again["replayed"], again["errors"]) == (expected, 0), log[-3000:]
    assert article_count(es, alias) == expected
    assert list((data_dir / "spool").glob("segment-*")) == []
