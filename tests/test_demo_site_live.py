"""The sample site as a live source: publishing while served, a block page on demand, its
source definition, and the generic NewsSpider crawling it twice as it grows."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from parsel import Selector

from crawlers.blocked import challenge_kind
from crawlers.sources import Source
from tests.conftest import REPO_ROOT
from vnopinion.demo_site.content import SITE_TZ, SampleSite, load_site, slugify
from vnopinion.demo_site.server import SampleSiteServer
from vnopinion.demo_site.source import sample_source

FEED = "/rss/tin-moi-nhat.rss"
TITLE = "Người dân phường Đồng Tâm đề nghị sớm lắp đèn đường trên tuyến đê mới"
LEAD = "Tuyến đê dài gần hai cây số đã thông xe từ tháng trước nhưng chưa có đèn chiếu sáng."
BODY = [
    "Nhiều hộ dân phường Đồng Tâm cho biết buổi tối đi lại trên tuyến đê mới rất nguy hiểm, "
    "nhất là các em học sinh đi học thêm về muộn.",
    "Đại diện UBND phường cho biết đã đề xuất lắp đèn và đang chờ phân bổ kinh phí.",
]


@pytest.fixture
def site() -> SampleSite:
    return load_site()


@pytest.fixture
def server(site: SampleSite) -> Iterator[SampleSiteServer]:
    server = SampleSiteServer(site)
    server.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def feed_links(server: SampleSiteServer) -> list[str]:
    return Selector(text=get(server.base_url + FEED)[1].decode(), type="xml").xpath(
        "//item/link/text()"
    ).getall()  # fmt: skip


def comments(server: SampleSiteServer, article_id: int) -> dict:
    url = f"{server.base_url}/api/comments?objectid={article_id}&offset=0&limit=25"
    return json.loads(get(url)[1])["data"]


def test_a_published_article_and_its_comments_show_at_once(
    server: SampleSiteServer, site: SampleSite
) -> None:
    before = len(feed_links(server))
    article = site.publish_article(TITLE, LEAD, BODY)
    assert article.path == f"/thoi-su/{slugify(TITLE)}-{article.id}.html"
    assert article.slug.startswith("nguoi-dan-phuong-dong-tam-de-nghi")
    assert feed_links(server)[0] == server.base_url + article.path  # newest first
    assert len(feed_links(server)) == before + 1
    status, page, _ = get(server.base_url + article.path)
    assert status == 200
    assert TITLE in page.decode()
    assert comments(server, article.id)["total"] == 0

    first = site.publish_comment(article.id, "Đoạn này tối om, xe máy đi rất sợ.", "Lan Phương")
    reply = site.publish_comment(
        article.path, "Đồng ý, mong phường làm sớm.", "bac_tu_dong_tam",
        first.created_at + timedelta(minutes=5), reply_to=first.id,
    )  # fmt: skip
    data = comments(server, article.id)
    assert (data["total"], data["totalitem"]) == (1, 2)
    [item] = data["items"]
    assert (item["comment_id"], item["full_name"]) == (first.id, "Lan Phương")
    assert [r["comment_id"] for r in item["replys"]["items"]] == [reply.id]

    older = site.publish_article(
        "Chợ phiên cuối tuần trở lại sau đợt sửa chữa", "Chợ mở cửa từ sáng thứ bảy.",
        "Các tiểu thương đã quay lại bán hàng.\n\nBan quản lý chợ bố trí thêm chỗ để xe.",
        published_at=datetime(2026, 1, 2, 7, 0, tzinfo=SITE_TZ),
    )  # fmt: skip
    assert older.body == [
        "Các tiểu thương đã quay lại bán hàng.",
        "Ban quản lý chợ bố trí thêm chỗ để xe.",
    ]
    assert feed_links(server)[-1] == server.base_url + older.path  # sorted by publication time
    with pytest.raises(KeyError):
        site.publish_comment(999, "?", "ai đó")
    with pytest.raises(ValueError, match="time zone"):
        site.publish_article("Tin", "Tin.", ["Tin."], published_at=datetime(2026, 1, 1))


def test_publishing_from_many_threads_while_served(
    server: SampleSiteServer, site: SampleSite
) -> None:
    before = len(site.articles)
    stop = threading.Event()
    failures: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                feed_links(server)
            except BaseException as exc:
                failures.append(exc)

    def publish(n: int) -> None:
        for k in range(10):
            article = site.publish_article(f"Bản tin số {n}-{k}", "Tin ngắn.", ["Nội dung."])
            site.publish_comment(article, f"Bình luận {n}-{k}", "Bạn đọc")

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=publish, args=(n,)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    stop.set()
    reader.join()
    assert failures == []
    ids = [a.id for a in site.articles]
    assert len(ids) == len(set(ids)) == before + 40
    comment_ids = [c.id for a in site.articles for c in a.comments]
    assert len(comment_ids) == len(set(comment_ids))
    assert len(feed_links(server)) == before + 40


def test_a_blocked_site_answers_every_page_with_a_cloudflare_challenge(
    server: SampleSiteServer, site: SampleSite
) -> None:
    article = site.articles[0]
    paths = ["/", FEED, article.path, f"/api/comments?objectid={article.id}", "/robots.txt"]
    server.set_blocked(True)
    for path in paths:
        status, body, headers = get(server.base_url + path)
        assert status == 403
        assert challenge_kind(body.decode()) == "Cloudflare challenge"
        assert headers["cf-mitigated"] == "challenge"
    server.set_blocked(False)
    assert [get(server.base_url + p)[0] for p in paths] == [200] * len(paths)


def test_the_sample_source_is_a_valid_source_for_the_served_site() -> None:
    source = sample_source("http://127.0.0.1:8765/")
    assert isinstance(source, Source)
    assert source.domains == ["tindansinh.demo", "127.0.0.1"]
    assert [e.url for e in source.entry_points] == ["http://127.0.0.1:8765/rss/tin-moi-nhat.rss"]
    assert source.comments == "tindansinh"
    path = load_site().articles[0].path
    assert source.is_article_url("http://127.0.0.1:8765" + path)
    assert source.is_article_url("https://tindansinh.demo" + path)
    assert not source.is_article_url("http://127.0.0.1:9999" + path)
    assert not source.is_article_url("http://127.0.0.1:8765/rss/tin-moi-nhat.rss")
    with pytest.raises(ValueError, match="http"):
        sample_source("127.0.0.1:8765")


@pytest.mark.skipif(
    "monitor" not in Source.model_fields,
    reason="Source has no `monitor` block yet (crawlers/sources.py MonitorLimits, helper H1)",
)
def test_the_sample_source_carries_its_polling_interval() -> None:
    source = sample_source("http://127.0.0.1:8765", interval_minutes=0.1)
    assert source.monitor.interval_minutes == 0.1  # type: ignore[attr-defined]


def crawl(server: SampleSiteServer, data_dir: Path, out: Path) -> dict:
    args = {"source": sample_source(server.base_url).model_dump(), "data_dir": str(data_dir),
            "out": str(out), "concurrency": 4,
            "limits": {"comments_refresh_days": 3650}}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outside_attempts"] == []
    assert result["report"]["errors"] == 0, done.stderr[-3000:]
    return result["report"]


def read_documents(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_news_spider_crawls_the_live_site_and_then_only_what_is_new(
    server: SampleSiteServer, site: SampleSite, tmp_path: Path
) -> None:
    first = tmp_path / "first.jsonl"
    crawl(server, tmp_path / "data", first)
    documents = read_documents(first)
    articles = [d for d in documents if d["kind"] == "article"]
    assert sorted(a["url"] for a in articles) == sorted(
        "https://tindansinh.demo" + a.path for a in site.articles
    )
    assert {a["source"] for a in articles} == {"tindansinh.demo"}
    expected_comments = sum(a.comment_count for a in site.articles)
    assert sum(d["kind"] == "comment" for d in documents) == expected_comments

    new = site.publish_article(TITLE, LEAD, BODY, datetime.now(UTC))
    site.publish_comment(new, "Cuối cùng cũng có người lên tiếng.", "Hải Yến")
    old = site.articles[1]
    site.publish_comment(old, "Theo dõi tiếp nhé báo ơi.", "độc giả Hải Phòng")
    second = tmp_path / "second.jsonl"
    crawl(server, tmp_path / "data", second)
    documents = read_documents(second)
    assert [d["url"] for d in documents if d["kind"] == "article"] == [
        "https://tindansinh.demo" + new.path
    ]
    texts = {d["text"] for d in documents if d["kind"] == "comment"}
    assert "Cuối cùng cũng có người lên tiếng." in texts
    # threads younger than comments_refresh_days (all, here) are polled again
    assert "Theo dõi tiếp nhé báo ơi." in texts
