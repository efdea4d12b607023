"""The news spider end to end, offline: saved VnExpress pages served at their real URLs.

Each crawl runs in its own process (Scrapy's reactor cannot restart) with the outside
network blocked; documents go to a JSON Lines file so no Elasticsearch is needed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawlers.replay import LocalSites, file_page, page_key
from tests.shared import site_fixture

REPO = Path(__file__).resolve().parents[2]
ARTICLE_SLUG = "cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363"
ARTICLE = f"https://vnexpress.net/{ARTICLE_SLUG}.html"
LISTING = "https://vnexpress.net/kinh-doanh"
# The comment request the VnExpress adapter makes for that article (ids from its page). The
# saved response belongs to article 5101768; here it only has to be a real response.
COMMENTS = (
    "https://usi-saas.vnexpress.net/index/get?objectid=5047363&objecttype=1"
    "&siteid=1003159&categoryid=1003938&offset=0&limit=24"
)


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


def crawl(sites: LocalSites, data_dir: Path, out: Path, **extra: Any) -> dict[str, Any]:
    args = {"base": sites.base_url, "source": "vnexpress", "data_dir": str(data_dir),
            "out": str(out), "entry_points": [{"kind": "section", "url": LISTING}],
            **extra}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNOPINION_")}
    result = subprocess.run(
        [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def documents(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_crawl_extracts_the_article_and_its_comments_without_leaving_the_machine(
    sites: LocalSites, tmp_path: Path
) -> None:
    out = tmp_path / "docs.jsonl"
    run = crawl(sites, tmp_path / "data", out)
    assert run["outside_attempts"] == []
    assert run["report"]["errors"] == 0
    docs = documents(out)
    articles = [d for d in docs if d["kind"] == "article"]
    comments = [d for d in docs if d["kind"] == "comment"]
    assert [a["url"] for a in articles] == [ARTICLE]
    assert articles[0]["title"] == "Cách các nước đối phó cú sốc năng lượng từ Trung Đông"
    assert articles[0]["published_at"] == "2026-03-06T17:05:00Z"
    assert len(comments) == 5  # the saved response holds 5 top-level comments, no reply inline
    assert {c["thread_id"] for c in comments} == {articles[0]["id"]}
    assert all(c["author_id"].startswith("u_") and "author_name" not in c for c in comments)
    # Every request went to the local server: listing, robots.txt files, article, comments.
    assert page_key(ARTICLE) in sites.requests
    assert page_key(COMMENTS) in sites.requests


def test_second_crawl_fetches_no_article_page_again(sites: LocalSites, tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    data = tmp_path / "data"
    crawl(sites, data, out)
    first_requests = list(sites.requests)
    second = crawl(sites, data, out)
    again = sites.requests[len(first_requests) :]
    assert first_requests.count(page_key(ARTICLE)) == 1
    assert page_key(ARTICLE) not in again
    assert page_key(LISTING) in again  # entry points are always read
    assert second["report"]["skipped_known"] >= 1
    assert second["report"]["articles"] == 0


def test_comments_of_young_articles_are_fetched_again(sites: LocalSites, tmp_path: Path) -> None:
    out, data = tmp_path / "docs.jsonl", tmp_path / "data"
    young = {"comments_refresh_days": 3650}  # the saved article (March 2026) counts as young
    crawl(sites, data, out, limits=young)
    before = len(sites.requests)
    crawl(sites, data, out, limits=young)
    again = sites.requests[before:]
    assert page_key(COMMENTS) in again
    assert page_key(ARTICLE) not in again
    comments = [d for d in documents(out) if d["kind"] == "comment"]
    assert len(comments) == 10  # written twice to the file; the same 5 ids (upserts in ES)
    assert len({c["id"] for c in comments}) == 5


def test_comments_of_old_articles_are_left_alone(sites: LocalSites, tmp_path: Path) -> None:
    out, data = tmp_path / "docs.jsonl", tmp_path / "data"
    crawl(sites, data, out)  # default: refresh for 7 days; the article is from March 2026
    before = len(sites.requests)
    crawl(sites, data, out)
    assert page_key(COMMENTS) not in sites.requests[before:]


def test_since_skips_older_articles(sites: LocalSites, tmp_path: Path) -> None:
    out = tmp_path / "docs.jsonl"
    run = crawl(sites, tmp_path / "data", out, since="2026-03-08T00:00:00+00:00")
    assert run["report"]["articles"] == 0
    assert not out.exists() or documents(out) == []


THREAD = "https://voz.vn/t/gia-dien-tang-anh-em-tiet-kiem-dien-the-nao.1302468/"
FORUM = "https://voz.vn/f/diem-bao.33/"


def test_forum_thread_becomes_an_article_with_its_posts_as_comments(tmp_path: Path) -> None:
    own = REPO / "tests" / "fixtures"
    pages = {
        page_key(FORUM): file_page(own / "sites" / "voz.vn" / "forum-diem-bao-33.html"),
        page_key(THREAD): file_page(own / "comments" / "voz-thread-1302468-page1.html"),
        page_key(THREAD + "page-2"): file_page(own / "comments" / "voz-thread-1302468-page2.html"),
    }
    local = LocalSites(pages)
    out = tmp_path / "docs.jsonl"
    try:
        run = crawl(local, tmp_path / "data", out, source="voz",
                    entry_points=[{"kind": "section", "url": FORUM}],
                    limits={"download_delay_s": 0})  # fmt: skip
    finally:
        local.close()
    assert run["outside_attempts"] == []
    docs = documents(out)
    threads = [d for d in docs if d["kind"] == "article"]
    posts = [d for d in docs if d["kind"] == "comment"]
    assert [t["title"] for t in threads] == ["Giá điện tăng, anh em tiết kiệm điện thế nào?"]
    assert threads[0]["url"] == THREAD
    assert len(posts) == 3 + 2 - 1  # every post on both pages but the opening one
    assert {p["thread_id"] for p in posts} == {threads[0]["id"]}
    assert "voz.vn:41120001" not in {p["id"] for p in posts}
