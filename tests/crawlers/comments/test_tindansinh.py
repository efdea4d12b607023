"""The sample site's comment adapter on responses the sample site itself renders and serves."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError
from crawlers.comments.html import BlockedError
from crawlers.comments.registry import get_adapter
from crawlers.comments.tindansinh import TinDanSinhAdapter
from vnopinion.demo_site import render
from vnopinion.demo_site.content import SampleArticle, SampleSite, load_site
from vnopinion.demo_site.server import SampleSiteServer

CANONICAL = render.CANONICAL_ORIGIN


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return load_site()


@pytest.fixture(scope="module")
def busiest(site: SampleSite) -> SampleArticle:
    return max(site.articles, key=lambda a: (len(a.comments), a.comment_count))


@pytest.fixture
def server(site: SampleSite) -> Iterator[SampleSiteServer]:
    server = SampleSiteServer(site)
    server.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_it_is_registered_under_its_name() -> None:
    assert isinstance(get_adapter("tindansinh"), TinDanSinhAdapter)


def test_the_ref_reads_the_comment_box_and_keeps_the_endpoint_relative_to_the_page(
    busiest: SampleArticle,
) -> None:
    html = render.article_page(busiest)
    ref = TinDanSinhAdapter().article_ref(html, CANONICAL + busiest.path)
    assert ref == ArticleRef(
        url=CANONICAL + busiest.path,
        site_article_id=str(busiest.id),
        extra={"api": f"{CANONICAL}/api/comments"},
    )
    assert TinDanSinhAdapter().article_ref("<html><p>Không có bình luận</p></html>", "u") is None


def test_every_comment_and_reply_is_read_across_pages_from_the_live_server(
    server: SampleSiteServer, busiest: SampleArticle
) -> None:
    adapter = TinDanSinhAdapter(page_size=3)
    html = get(server.base_url + busiest.path).decode()
    ref = adapter.article_ref(html, CANONICAL + busiest.path)  # as NewsSpider asks it
    assert ref is not None
    assert ref.extra["api"] == server.base_url + "/api/comments"
    requests, seen = adapter.first_requests(ref), []
    while requests:
        request = requests.pop(0)
        assert parse_qs(urlsplit(request.url).query)["objectid"] == [str(busiest.id)]
        page = adapter.parse(get(request.url), request, ref)
        seen.extend(page.comments)
        requests.extend(page.follow)
    expected = {c.id for c in busiest.comments} | {
        r.id for c in busiest.comments for r in c.replies
    }
    assert sorted(int(c.site_comment_id) for c in seen) == sorted(expected)
    top = next(c for c in busiest.comments if c.replies)
    reply = next(c for c in seen if c.site_comment_id == str(top.replies[0].id))
    parsed_top = next(c for c in seen if c.site_comment_id == str(top.id))
    assert reply.parent_site_id == str(top.id)
    assert parsed_top.parent_site_id is None
    assert parsed_top.reply_count == len(top.replies)
    assert (parsed_top.likes, parsed_top.author_name) == (top.likes, top.author)
    assert parsed_top.text == top.text
    assert parsed_top.created_at == top.created_at.astimezone(UTC)


def test_an_article_without_comments_yet_still_has_a_thread(site: SampleSite) -> None:
    bare = site.model_copy(deep=True)
    article = bare.publish_article("Tiêu đề", "Sa pô.", ["Đoạn một."])
    ref = TinDanSinhAdapter().article_ref(render.article_page(article), CANONICAL + article.path)
    assert ref is not None
    body = json.dumps(render.comments_json(article, 0, 20)).encode()
    page = TinDanSinhAdapter().parse(body, TinDanSinhAdapter().first_requests(ref)[0], ref)
    assert (page.comments, page.follow) == ([], [])


def test_odd_responses_fail_loudly(busiest: SampleArticle) -> None:
    adapter = TinDanSinhAdapter()
    ref = ArticleRef(url=CANONICAL + busiest.path, site_article_id=str(busiest.id))
    request = adapter.first_requests(ref)[0]
    assert request.url.startswith(f"{CANONICAL}/api/comments?objectid={busiest.id}")
    with pytest.raises(BlockedError):
        adapter.parse(render.CHALLENGE_PAGE.encode(), request, ref)
    for body in (b'{"error": 0}', b'{"data": {"items": [1]}}', b'{"data": {"items": [{}]}}'):
        with pytest.raises(CommentFormatError):
            adapter.parse(body, request, ref)
    stamp = int(datetime(2026, 11, 5, tzinfo=UTC).timestamp())
    odd_time = {"data": {"total": 1, "items": [{"comment_id": 1, "creation_time": "hôm qua"}]}}
    with pytest.raises(CommentFormatError, match="creation_time"):
        adapter.parse(json.dumps(odd_time).encode(), request, ref)
    fine = {"data": {"total": 1, "items": [{"comment_id": 1, "creation_time": stamp}]}}
    assert len(adapter.parse(json.dumps(fine).encode(), request, ref).comments) == 1
