"""A crawl killed with SIGKILL mid-run, then run again: nothing missing, nothing duplicated.

The sample site (our own pages) is served at its canonical URLs, slowly, and indexed into
the session's real Elasticsearch node in batches of 3, so the kill lands between batches.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawlers.replay import LocalSites, Page, page_key
from indexer.node import LocalNode
from tests.conftest import cli_env
from vnopinion.demo_site import render
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
ORIGIN = render.CANONICAL_ORIGIN
SOURCE = {
    "key": "tindansinh", "name": "Tin Dân Sinh (trang mẫu)", "domains": ["tindansinh.demo"],
    "entry_points": [{"kind": "rss", "url": f"{ORIGIN}/rss/tin-moi-nhat.rss"}],
    "article_url_patterns": [r"^https://tindansinh\.demo/[a-z-]+/[a-z0-9-]+-\d{7}\.html$"],
}  # fmt: skip


def serve_sample_site(delay_s: float) -> LocalSites:
    """The sample site's feed and article pages at their canonical URLs, each answer late."""
    site = load_site()
    pages = {page_key(f"{ORIGIN}/rss/tin-moi-nhat.rss"): Page(
        render.rss_feed(site, ORIGIN).encode(), "application/rss+xml")}  # fmt: skip
    for article in site.articles:
        pages[page_key(ORIGIN + article.path)] = Page(render.article_page(article).encode())
    return LocalSites(pages, delay_s=delay_s)


@pytest.fixture
def slow_site() -> Iterator[LocalSites]:
    local = serve_sample_site(delay_s=0.25)
    yield local
    local.close()


def start_crawl(
    site: LocalSites, data_dir: Path, settings: Settings, alias: str, chunk: int = 3,
    journal: Path | None = None,
) -> subprocess.Popen[str]:  # fmt: skip
    """``crawlers.replay_crawl`` of the sample site in a process of its own (to be killed)."""
    args = {"base": site.base_url, "source": SOURCE, "data_dir": str(data_dir),
            "es_url": settings.es_url, "alias": alias, "chunk": chunk}  # fmt: skip
    if journal is not None:
        args["journal"] = str(journal)
    env = cli_env(settings)  # the credentials travel in the environment
    return subprocess.Popen(
        [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def article_count(es: Elasticsearch, alias: str) -> int:
    if not es.indices.exists_alias(name=alias):
        return 0
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def test_killed_crawl_resumes_with_nothing_missing_or_duplicated(
    es_node: LocalNode,
    es_settings: Settings,
    es: Elasticsearch,
    alias: str,
    slow_site: LocalSites,
    tmp_path: Path,
) -> None:
    expected = {a.path for a in load_site().articles}
    data_dir = tmp_path / "data"
    first = start_crawl(slow_site, data_dir, es_settings, alias)
    deadline = time.monotonic() + 120
    while article_count(es, alias) < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    stored_before = article_count(es, alias)
    assert 6 <= stored_before < len(expected), "the kill must land mid-run"

    second = start_crawl(slow_site, data_dir, es_settings, alias)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["outside_attempts"] == []
    assert report["report"]["errors"] == 0, err[-4000:]

    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, source_includes=["url"])["hits"]["hits"]
    urls = [h["_source"]["url"].removeprefix(ORIGIN) for h in hits]
    # every article once: none missing, none twice
    assert sorted(urls) == sorted(expected), f"{report}\n{err[-4000:]}"
    print(  # the closing note quotes these (pytest -s)
        f"[killed crawl] SIGKILL with {stored_before} of {len(expected)} articles stored; "
        f"second run skipped {report['report']['skipped_known']} known, errors "
        f"{report['report']['errors']}; articles in the index {len(urls)}, distinct "
        f"{len(set(urls))}"
    )
    assert report["report"]["skipped_known"] >= stored_before - 3
