"""Tuổi Trẻ adapter on the saved article page and on our own two-page comment response."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest
from crawlers.comments.tuoitre import TuoiTreAdapter
from tests.crawlers.comments import own_fixture
from tests.shared import site_fixture

ARTICLE = "article-chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.html"
ARTICLE_URL = (
    "https://tuoitre.vn/chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.htm"
)
API = "https://id.tuoitre.vn/api/getlist-comment.api"
ICT = timezone(timedelta(hours=7))
REF = ArticleRef(url=ARTICLE_URL, site_article_id="20260307075519174")
adapter = TuoiTreAdapter(page_size=3)  # our fixture's pages hold 3 comments


def test_article_ref_from_the_saved_page() -> None:
    html = site_fixture("tuoitre.vn", ARTICLE).read_text(encoding="utf-8")
    assert TuoiTreAdapter().article_ref(html, "https://tuoitre.vn/kinh-doanh.htm") == REF


def test_article_ref_falls_back_to_data_newsid() -> None:
    html = '<div class="modal__commentpopup" data-newsid="20260307075519174"></div>'
    ref = TuoiTreAdapter().article_ref(html, "https://tuoitre.vn/kinh-doanh.htm")
    assert ref == ArticleRef("https://tuoitre.vn/kinh-doanh.htm", REF.site_article_id)
    assert TuoiTreAdapter().article_ref("<p></p>", "https://tuoitre.vn/kinh-doanh.htm") is None


def test_first_request() -> None:
    assert TuoiTreAdapter().first_requests(REF) == [
        CommentRequest(
            url=f"{API}?pageindex=1&pagesize=20&objId=20260307075519174&objType=1&sort=2",
            purpose="page",
            state={"page": 1},
        )
    ]


def test_first_page_comments_and_inline_replies() -> None:
    body = own_fixture("tuoitre-getlist-comment-20260307075519174-page1.json").read_bytes()
    page = adapter.parse(body, adapter.first_requests(REF)[0], REF)
    assert [(c.site_comment_id, c.parent_site_id) for c in page.comments] == [
        ("5512301", None),
        ("5512340", "5512301"),
        ("5512388", "5512301"),
        ("5512315", None),
        ("5512402", "5512315"),
        ("5512299", None),
    ]
    first = page.comments[0]
    assert first.author_name == "Nguyễn Thu Hà"
    assert first.likes == 37
    assert first.created_at == datetime(2026, 3, 7, 8, 42, 10, tzinfo=ICT)
    assert first.text.startswith("Năm nay hoa hồng nhập khẩu đắt quá")
    assert first.reply_count == 2
    reply = "Hoa trong nước cũng tăng giá theo đấy bạn ơi & còn khan hàng nữa."
    assert page.comments[2].text == reply
    assert page.comments[3].text == (
        "Giá vận chuyển tăng thì giá hoa tăng là chuyện dễ hiểu.\nMong sau dịp lễ giá sẽ hạ."
    )
    # Three replies announced, one inline: no reply endpoint is known, the count is kept.
    assert page.comments[3].reply_count == 3
    assert [r.url for r in page.follow] == [
        f"{API}?pageindex=2&pagesize=3&objId=20260307075519174&objType=1&sort=2"
    ]


def test_a_short_page_ends_the_thread() -> None:
    body = own_fixture("tuoitre-getlist-comment-20260307075519174-page2.json").read_bytes()
    page = adapter.parse(body, CommentRequest("u", "page", {"page": 2}), REF)
    [only] = page.comments
    assert (only.site_comment_id, only.author_name, only.likes) == ("5512277", "Hồ Thanh Tùng", 3)
    assert page.follow == []


def test_likes_fall_back_to_the_sum_of_reactions_and_time_to_published_date() -> None:
    item = {
        "id": 9,
        "sender_fullname": "A",
        "content": "x",
        "published_date": "2026-03-07T10:00:00",
        "reactions": {"1": 4, "3": 2},
        "child_comments": None,
    }
    body = json.dumps({"Success": True, "Data": json.dumps([item])}).encode()
    [comment] = adapter.parse(body, adapter.first_requests(REF)[0], REF).comments
    assert comment.likes == 6
    assert comment.created_at == datetime(2026, 3, 7, 10, tzinfo=ICT)
    assert comment.reply_count is None


def test_no_comments() -> None:
    for data in ('"[]"', "null", '""'):
        body = f'{{"Success": true, "Data": {data}}}'.encode()
        page = adapter.parse(body, adapter.first_requests(REF)[0], REF)
        assert (page.comments, page.follow) == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>error</html>", "Tuổi Trẻ: comment response is not JSON"),
        (b'{"Success": true}', "not an object with 'Data'"),
        (b'{"Success": false, "Data": "[]"}', "reported a failure"),
        (b'{"Success": true, "Data": "[{\\"id\\": 1"}', "'Data' is not a JSON string"),
        (b'{"Success": true, "Data": "{\\"id\\": 1}"}', "Data is not a list"),
        (b'{"Success": true, "Data": "[{\\"id\\": 1}]"}', "comment 1 has no created_date"),
    ],
)
def test_broken_responses_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, adapter.first_requests(REF)[0], REF)
