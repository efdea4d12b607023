"""Dân Trí adapter on the saved article page and on our own (unverified) comment responses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest
from crawlers.comments.dantri import DanTriAdapter
from tests.crawlers.comments import own_fixture
from tests.shared import site_fixture

ARTICLE = "article-gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.html"
ARTICLE_URL = (
    "https://dantri.com.vn/kinh-doanh/"
    "gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.htm"
)
API = "https://webapi.dantri.com.vn/listcomment"
ICT = timezone(timedelta(hours=7))
REF = ArticleRef(url=ARTICLE_URL, site_article_id="20260307080054340")
adapter = DanTriAdapter(page_size=3)  # our fixture's pages hold 3 comments


def _fixture(name: str) -> bytes:
    return own_fixture(f"dantri-listcomment-20260307080054340-{name}.json").read_bytes()


def test_article_ref_from_the_saved_page() -> None:
    # The page holds <div id="comment" data-module="comment" data-objectid="20260307080054340">.
    html = site_fixture("dantri.com.vn", ARTICLE).read_text(encoding="utf-8")
    assert DanTriAdapter().article_ref(html, "https://dantri.com.vn/kinh-doanh.htm") == REF


def test_article_ref_falls_back_to_the_url_and_respects_closed_comments() -> None:
    assert DanTriAdapter().article_ref("<p></p>", ARTICLE_URL) == REF
    closed = "<script>window.DT_GLOBAL.isCommentDisabled=true;</script>"
    assert DanTriAdapter().article_ref(closed, ARTICLE_URL) is None
    assert DanTriAdapter().article_ref("<p></p>", "https://dantri.com.vn/kinh-doanh.htm") is None


def test_first_request() -> None:
    assert DanTriAdapter().first_requests(REF) == [
        CommentRequest(
            url=f"{API}?objectId=20260307080054340&objectType=1&offset=0&limit=20&orderBy=popular",
            purpose="page",
            state={"offset": 0},
        )
    ]


def test_first_page() -> None:
    page = adapter.parse(_fixture("offset0"), adapter.first_requests(REF)[0], REF)
    assert [c.site_comment_id for c in page.comments] == ["8800412", "8800437", "8800455"]
    first = page.comments[0]
    assert first.parent_site_id is None
    assert first.author_name == "Bùi Văn Thắng"
    assert first.likes == 41
    assert first.created_at == datetime(2026, 3, 7, 8, 20, 14, tzinfo=ICT)
    assert first.text.startswith("Chênh gần 20 triệu một lượng")
    assert first.reply_count == 2
    assert page.comments[1].text == (
        "Tôi giữ vàng nhẫn, không mua vàng miếng nữa.\nChênh lệch mua bán cũng cao."
    )
    assert [(r.purpose, r.url, r.state) for r in page.follow] == [
        (
            "replies",
            f"{API}?objectId=8800412&objectType=1&offset=0&limit=3&orderBy=popular&isReply=True",
            {"offset": 0, "parent_id": "8800412"},
        ),
        (
            "page",
            f"{API}?objectId=20260307080054340&objectType=1&offset=3&limit=3&orderBy=popular",
            {"offset": 3},
        ),
    ]


def test_a_short_page_ends_the_thread() -> None:
    page = adapter.parse(_fixture("offset3"), CommentRequest("u", "page", {"offset": 3}), REF)
    assert [(c.site_comment_id, c.author_name) for c in page.comments] == [
        ("8800501", "Tạ Minh Châu")
    ]
    assert page.follow == []


def test_replies() -> None:
    first = adapter.parse(_fixture("offset0"), adapter.first_requests(REF)[0], REF)
    page = adapter.parse(_fixture("replies-8800412"), first.follow[0], REF)
    assert [(c.site_comment_id, c.parent_site_id, c.likes) for c in page.comments] == [
        ("8800470", "8800412", 6),
        ("8800489", "8800412", 3),
    ]
    assert page.follow == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"Bad Gateway", "Dân Trí: comment response is not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"error": "not found"}', "no 'items' list"),
        (b'{"items": [{"commentContent": "x"}]}', "without commentId"),
        (b'{"items": [{"commentId": 1, "reactions": 5}]}', "reactions is not an object"),
        (b'{"items": [{"commentId": 1}]}', "unreadable comment time"),
    ],
)
def test_broken_responses_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, adapter.first_requests(REF)[0], REF)
