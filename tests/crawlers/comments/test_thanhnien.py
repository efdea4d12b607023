"""Thanh Niên adapter on the saved comment fragment (20 comments, 1 inline reply)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest, ParsedComment
from crawlers.comments.html import BlockedError
from crawlers.comments.thanhnien import ThanhNienAdapter
from tests.shared import site_fixture

SITE = "thanhnien.vn"
FRAGMENT = "comments-listcomment-185260712201942802-page1.html"
ARTICLE_URL = (
    "https://thanhnien.vn/to-chuc-diem-thi-rieng-tung-truong-ke-ho-tieu-cuc-ky-thi-tot-nghiep-thpt"
    "-185260712201942802.htm"
)
API = "https://eth2.cnnd.vn/api/ajax/ListComment.htm"
ICT = timezone(timedelta(hours=7))
REF = ArticleRef(url=ARTICLE_URL, site_article_id="185260712201942802")
adapter = ThanhNienAdapter()


def test_article_ref_from_the_hidden_news_id() -> None:
    html = (
        f'<link rel="canonical" href="{ARTICLE_URL}"/>'
        "<input type='hidden' id='hdNewsId' value='185260712201942802' />"
    )
    assert adapter.article_ref(html, "https://thanhnien.vn/giao-duc.htm") == REF


def test_article_ref_falls_back_to_the_url_id() -> None:
    assert adapter.article_ref("<html></html>", ARTICLE_URL) == REF
    assert adapter.article_ref("<html></html>", "https://thanhnien.vn/giao-duc.htm") is None


def test_first_request() -> None:
    assert adapter.first_requests(REF) == [
        CommentRequest(
            url=f"{API}?page=1&NewsID=185260712201942802&Order=like&pageSize=20&iObjectType=1"
            "&SiteName=thanhnien",
            purpose="page",
            state={"page": 1},
        )
    ]


def _saved_page() -> list[ParsedComment]:
    body = site_fixture(SITE, FRAGMENT).read_bytes()
    return adapter.parse(body, adapter.first_requests(REF)[0], REF).comments


def test_saved_fragment_counts() -> None:
    comments = _saved_page()
    assert len(comments) == 21
    assert sum(c.parent_site_id is None for c in comments) == 20
    assert sum(c.parent_site_id is not None for c in comments) == 1


def test_saved_fragment_first_comment() -> None:
    first = _saved_page()[0]
    assert first.site_comment_id == "c92dd10f-4b80-4993-bcd7-ef4c75af9a17"
    assert first.parent_site_id is None
    # The site shows an e-mail address as this reader's name: pseudonymised downstream.
    assert first.author_name == "hong.do2658@gmail.com"
    assert first.likes == 5
    assert first.created_at == datetime(2026, 7, 13, 9, 12, 25, tzinfo=ICT)
    assert first.text.startswith("Khi mỗi người không giữ bổn phận công dân")
    assert first.reply_count == 0


def test_saved_fragment_reply() -> None:
    comments = _saved_page()
    [reply] = [c for c in comments if c.parent_site_id is not None]
    parent = next(c for c in comments if c.site_comment_id == reply.parent_site_id)
    assert parent.site_comment_id == "cf3003da-1b93-4c72-8eb6-227c881b1d85"
    assert parent.author_name == "Bạn đọc mới"  # from entity-encoded a.avatar@title
    assert parent.reply_count == 1
    assert reply.site_comment_id == "365c12e6-e412-4144-8e9c-e4be77406443"
    assert reply.author_name == "truong hao"
    assert reply.likes == 5
    assert reply.created_at == datetime(2026, 7, 13, 10, 14, 49, tzinfo=ICT)
    # The "@Bạn đọc mới" mention of the parent's author is dropped.
    assert reply.text.startswith("Sao lại nói tổ chức ở đâu ko quan trọng ?")
    assert "@" not in reply.text
    assert comments.index(reply) == comments.index(parent) + 1


def test_saved_fragment_totals() -> None:
    comments = _saved_page()
    assert sum(c.likes for c in comments) == 120
    assert max(comments, key=lambda c: c.likes).author_name == "Lão Nông Tri Điền"


def test_a_full_page_asks_for_the_next() -> None:
    body = site_fixture(SITE, FRAGMENT).read_bytes()
    page = adapter.parse(body, adapter.first_requests(REF)[0], REF)
    assert [r.url for r in page.follow] == [
        f"{API}?page=2&NewsID=185260712201942802&Order=like&pageSize=20&iObjectType=1"
        "&SiteName=thanhnien"
    ]


def test_a_short_or_empty_page_ends_the_thread() -> None:
    body = site_fixture(SITE, FRAGMENT).read_bytes()
    one = body[: body.index(b'<div class="item box_cm"', 100)]  # the first comment only
    page = adapter.parse(one, CommentRequest("u", "page", {"page": 3}), REF)
    assert len(page.comments) == 1
    assert page.follow == []
    for empty in (b"", b"  \n ", b"<!-- het -->\n"):
        page = adapter.parse(empty, CommentRequest("u", "page", {"page": 3}), REF)
        assert (page.comments, page.follow) == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body><h1>404 Not Found</h1></body></html>", "no div.item.box_cm"),
        (
            b'<div class="item box_cm" data-cmid="x"><div class="item-content"></div></div>',
            "comment x has no p.text-comment",
        ),
        (
            b'<div class="item box_cm" data-cmid="x"><div class="item-content">'
            b'<p class="text-comment">a</p><div class="item-bottom">'
            b'<span class="time time-ago" title="2026-13-07 09:12"></span></div></div></div>',
            "Thanh Niên: unreadable comment time",
        ),
    ],
)
def test_broken_fragments_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, adapter.first_requests(REF)[0], REF)


def test_a_challenge_page_is_blocked() -> None:
    page = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_bytes()
    with pytest.raises(BlockedError, match="Thanh Niên"):
        adapter.parse(page, adapter.first_requests(REF)[0], REF)
