"""The sample site's spider on pages rendered by the sample site itself (offline)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawlers.pseudonym import Pseudonymizer
from crawlers.spiders.tindansinh import TinDanSinhSpider
from indexer.documents import Article, Comment, article_id
from vnopinion.demo_site import render
from vnopinion.demo_site.content import SampleArticle, load_site

BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def sample() -> SampleArticle:
    site = load_site()
    # The article with the most replies exercises threads and pagination.
    return max(site.articles, key=lambda a: (len(a.comments), a.comment_count))


@pytest.fixture
def spider() -> TinDanSinhSpider:
    spider = TinDanSinhSpider(feed_url=f"{BASE}/rss/tin-moi-nhat.rss")
    spider.pseudonymizer = Pseudonymizer(b"k" * 32)
    return spider


def test_feed_links_become_article_requests(spider: TinDanSinhSpider) -> None:
    site = load_site()
    body = render.rss_feed(site, BASE).encode()
    response = TextResponse(url=f"{BASE}/rss/tin-moi-nhat.rss", body=body, encoding="utf-8")
    requests = list(spider.parse_feed(response))
    assert [r.url for r in requests] == [BASE + a.path for a in site.articles]


def test_article_fields_are_extracted_exactly(
    spider: TinDanSinhSpider, sample: SampleArticle
) -> None:
    url = BASE + sample.path
    response = HtmlResponse(url=url, body=render.article_page(sample).encode(), encoding="utf-8")
    outputs = list(spider.parse_article(response))
    article = outputs[0]
    assert isinstance(article, Article)
    canonical = "https://tindansinh.demo" + sample.path
    assert article.id == article_id(canonical)
    assert article.url == canonical
    assert article.source == "tindansinh.demo"
    assert article.title == sample.title
    assert article.lead == sample.lead
    assert article.author == sample.author
    assert article.section == sample.section_name
    assert article.tags == sample.tags
    assert article.published_at == sample.published_at.astimezone(UTC)
    assert article.text.split("\n\n") == sample.body
    assert article.replies == sample.comment_count
    comment_request = outputs[1]
    assert isinstance(comment_request, Request)
    assert f"objectid={sample.id}" in comment_request.url


def test_comment_pages_follow_pagination_and_threads(
    spider: TinDanSinhSpider, sample: SampleArticle
) -> None:
    context = {"api": f"{BASE}/api/comments", "object_id": str(sample.id),
               "article_doc_id": "ART", "source": "tindansinh.demo",
               "url": "https://tindansinh.demo" + sample.path}  # fmt: skip
    comments: list[Comment] = []
    offset = 0
    pages = 0
    while True:
        body = json.dumps(render.comments_json(sample, offset, 10), ensure_ascii=False)
        response = TextResponse(url=f"{BASE}/api/comments", body=body.encode(), encoding="utf-8")
        outputs = list(spider.parse_comments(response, context=context, offset=offset))
        pages += 1
        comments += [o for o in outputs if isinstance(o, Comment)]
        following = [o for o in outputs if isinstance(o, Request)]
        if not following:
            break
        offset = following[0].cb_kwargs["offset"]
    assert pages == -(-len(sample.comments) // 10)
    assert len(comments) == sample.comment_count
    assert len({c.id for c in comments}) == len(comments)
    top = [c for c in comments if c.parent_id == "ART"]
    assert len(top) == len(sample.comments)
    assert all(c.thread_id == "ART" for c in comments)
    by_site_id = {c.id.split(":")[1]: c for c in comments}
    for written in sample.comments:
        got = by_site_id[str(written.id)]
        assert got.text == " ".join(written.text.split()) or got.text == written.text
        assert got.likes == written.likes
        assert got.published_at == written.created_at.astimezone(UTC)
        assert got.replies == len(written.replies)
        for reply in written.replies:
            assert by_site_id[str(reply.id)].parent_id == got.id


def test_commenter_names_are_pseudonymised_by_default(
    spider: TinDanSinhSpider, sample: SampleArticle
) -> None:
    context = {"api": f"{BASE}/api/comments", "object_id": str(sample.id),
               "article_doc_id": "ART", "source": "tindansinh.demo", "url": "u"}  # fmt: skip
    body = json.dumps(render.comments_json(sample, 0, 10), ensure_ascii=False).encode()
    response = TextResponse(url=f"{BASE}/api/comments", body=body, encoding="utf-8")
    comments = [o for o in spider.parse_comments(response, context=context, offset=0)
                if isinstance(o, Comment)]  # fmt: skip
    names = {c.author for c in sample.comments}
    for comment in comments:
        assert comment.author_name is None
        assert comment.author_id is not None
        assert comment.author_id.startswith("u_")
        assert comment.author_id not in names
        assert not any(name in comment.model_dump_json() for name in names)
    spider.keep_author_names = True
    kept = [o for o in spider.parse_comments(response, context=context, offset=0)
            if isinstance(o, Comment)]  # fmt: skip
    assert {c.author_name for c in kept} <= {
        n for c in sample.comments for n in (c.author, *(r.author for r in c.replies))
    }


def test_comment_html_is_stripped(spider: TinDanSinhSpider) -> None:
    item = {"comment_id": 1, "content": "Dòng một<br>Dòng &amp; hai <b>đậm</b>",
            "full_name": "A", "creation_time": 1_764_000_000, "userlike": 2}  # fmt: skip
    context = {"source": "s", "article_doc_id": "ART", "url": "u"}
    comment = spider._comment(item, context, parent_id="ART")
    assert comment.text == "Dòng một\nDòng & hai đậm"
    assert comment.published_at == datetime.fromtimestamp(1_764_000_000, UTC)
