"""VietNamNet adapter on the saved article page, comment page and reply list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest
from crawlers.comments.vietnamnet import VietNamNetAdapter
from tests.shared import site_fixture

SITE = "vietnamnet.vn"
ARTICLE = "article-co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html"
API = "https://comment.vietnamnet.vn/api/Comment/Gets"
ICT = timezone(timedelta(hours=7))
adapter = VietNamNetAdapter()
# The saved comment responses do not record their query (they are about another article).
REF = ArticleRef(
    url="https://vietnamnet.vn/co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html",
    site_article_id="2495349",
    extra={"website_id": "000003"},
)


def test_article_ref_from_the_saved_page() -> None:
    html = site_fixture(SITE, ARTICLE).read_text(encoding="utf-8")
    # The page holds data-objectid="2495349" and data-websiteid="000003" (input#infoConfigGlobalId).
    assert adapter.article_ref(html, "https://vietnamnet.vn/kinh-doanh") == REF


def test_article_ref_falls_back_to_the_url_id() -> None:
    ref = adapter.article_ref("<html></html>", "https://vietnamnet.vn/tin-moi-2495349.html")
    assert ref == ArticleRef(
        url="https://vietnamnet.vn/tin-moi-2495349.html",
        site_article_id="2495349",
        extra={"website_id": "000003"},
    )
    assert adapter.article_ref("<html></html>", "https://vietnamnet.vn/kinh-doanh") is None


def test_first_request() -> None:
    assert adapter.first_requests(REF) == [
        CommentRequest(
            url=f"{API}?ObjectId=2495349&WebsiteId=000003&PageIndex=0&PageSize=20",
            purpose="page",
            state={"page": 0},
        )
    ]


def test_saved_page_comments() -> None:
    body = site_fixture(SITE, "comments-page0.json").read_bytes()
    assert json.loads(body)["data"]["totalComment"] == 21  # 20 comments + 1 reply
    page = adapter.parse(body, adapter.first_requests(REF)[0], REF)
    assert len(page.comments) == 20
    assert all(c.parent_site_id is None for c in page.comments)
    first = page.comments[0]
    assert first.site_comment_id == "4377202"
    assert first.author_name == "Tường Vi"
    assert first.likes == 3
    assert first.created_at == datetime(2026, 7, 30, 16, 25, 56, tzinfo=ICT)
    assert first.text.startswith("Mong tất cả các điểm chờ xe buýt có mái che")
    assert "<p>" not in first.text
    assert sum(c.reply_count or 0 for c in page.comments) == 1
    assert page.comments[-1].text.startswith("mot so doan co the lam tren cao")


def test_saved_page_follow_up_requests() -> None:
    body = site_fixture(SITE, "comments-page0.json").read_bytes()
    page = adapter.parse(body, adapter.first_requests(REF)[0], REF)
    query = f"{API}?ObjectId=2495349&WebsiteId=000003"
    assert [(r.purpose, r.url) for r in page.follow] == [
        ("replies", f"{query}&PageIndex=0&PageSize=20&ParentId=4377189"),
        ("page", f"{query}&PageIndex=1&PageSize=20"),
    ]
    assert page.follow[0].state == {"page": 0, "parent_id": "4377189", "total": 1, "seen": 0}


def test_saved_reply_list() -> None:
    body = site_fixture(SITE, "comments-page0.json").read_bytes()
    replies_request = adapter.parse(body, adapter.first_requests(REF)[0], REF).follow[0]
    body = site_fixture(SITE, "comments-reply-4377189.json").read_bytes()
    page = adapter.parse(body, replies_request, REF)
    [reply] = page.comments
    assert reply.site_comment_id == "4377216"
    assert reply.parent_site_id == "4377189"
    assert reply.author_name == "Khá"
    assert reply.likes == 1
    assert reply.created_at == datetime(2026, 7, 30, 16, 50, 15, tzinfo=ICT)
    assert reply.text.startswith("Không chỉ việc làn riêng BRT lãng phí")
    assert page.follow == []  # the parent's one reply is in


def test_an_empty_page_ends_the_thread() -> None:
    body = b'{"status": true, "data": {"comments": [], "totalRow": 0}}'
    page = adapter.parse(body, CommentRequest("u", "page", {"page": 1}), REF)
    assert (page.comments, page.follow) == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"Service Unavailable", "VietNamNet: comment response is not JSON"),
        (b'{"status": false, "messages": ["ObjectId invalid"]}', "reported a failure"),
        (b'{"status": true, "data": {"comments": "x"}}', "data.comments is not a list"),
        (b'{"status": true, "data": {"comments": [{"userName": "A"}]}}', "without commentId"),
        (
            b'{"status": true, "data": {"comments": [{"commentId": "9", "createdDate": "?"}]}}',
            "unreadable comment time",
        ),
    ],
)
def test_broken_responses_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, adapter.first_requests(REF)[0], REF)
