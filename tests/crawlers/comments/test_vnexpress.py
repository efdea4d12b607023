"""VnExpress adapter on the saved article pages and the saved comment response."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest
from crawlers.comments.html import BlockedError
from crawlers.comments.vnexpress import VnExpressAdapter
from tests.shared import site_fixture

SITE = "vnexpress.net"
RESPONSE = "comments-5101768-objecttype1-offset0.json"
API = "https://usi-saas.vnexpress.net/index"
# The saved response does not record its query; these ids stand in for article 5101768's.
REF = ArticleRef(
    url="https://vnexpress.net/bai-viet-5101768.html",
    site_article_id="5101768",
    extra={"article_type": "1", "site_id": "1001005", "category_id": "1001006"},
)
adapter = VnExpressAdapter()


@pytest.mark.parametrize(
    ("name", "url", "article_id", "site_id", "category_id"),
    [
        (
            "article-cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
            "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
            "5047363",
            "1003159",
            "1003938",
        ),
        (
            "article-dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html",
            "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html",
            "4954454",
            "1003750",
            "1003784",
        ),
    ],
)
def test_article_ref_from_saved_pages(
    name: str, url: str, article_id: str, site_id: str, category_id: str
) -> None:
    html = site_fixture(SITE, name).read_text(encoding="utf-8")
    ref = adapter.article_ref(html, "https://vnexpress.net/listing-link")
    assert ref == ArticleRef(
        url=url,
        site_article_id=article_id,
        extra={"article_type": "1", "site_id": site_id, "category_id": category_id},
    )


def test_article_ref_falls_back_to_meta_tags() -> None:
    html = (
        '<meta name="tt_article_id" content="5047363"/><meta name="tt_site_id" content="1003159"/>'
        '<meta name="tt_category_id" content="1003938"/>'
    )
    ref = adapter.article_ref(html, "https://vnexpress.net/x-5047363.html")
    assert ref is not None
    assert ref.site_article_id == "5047363"
    assert ref.extra == {"article_type": "1", "site_id": "1003159", "category_id": "1003938"}


def test_article_ref_is_none_without_ids() -> None:
    assert adapter.article_ref("<html><p>video</p></html>", "https://vnexpress.net/v") is None


def test_first_request() -> None:
    [request] = adapter.first_requests(REF)
    assert request == CommentRequest(
        url=f"{API}/get?objectid=5101768&objecttype=1&siteid=1001005&categoryid=1001006"
        "&offset=0&limit=24",
        purpose="page",
        state={"offset": 0},
    )


def test_saved_response_comments() -> None:
    raw = json.loads(site_fixture(SITE, RESPONSE).read_bytes())
    assert (raw["data"]["total"], raw["data"]["totalitem"]) == (83, 113)
    page = adapter.parse(site_fixture(SITE, RESPONSE).read_bytes(), *_first())
    # 5 top-level comments, no reply inline (their replys.items are all empty).
    assert len(page.comments) == 5
    assert all(c.parent_site_id is None for c in page.comments)
    first = page.comments[0]
    assert first.site_comment_id == "63996244"
    assert first.author_name == "yousay2027"
    assert first.likes == 132
    assert first.created_at == datetime(2026, 7, 26, 7, 17, 40, tzinfo=UTC)  # epoch 1785050260
    assert first.text == (
        '"Đề xuất mở các khóa học cung cấp kiến thức và kỹ năng về hôn nhân, gia đình, '
        'sức khỏe sinh sản ..."\nRất ủng hộ.'
    )
    assert [c.reply_count for c in page.comments] == [10, 1, 0, 0, 7]
    assert [c.likes for c in page.comments] == [132, 112, 66, 45, 33]
    assert page.comments[1].author_name == "Phạm Hồng Tự"


def test_saved_response_follow_up_requests() -> None:
    page = adapter.parse(site_fixture(SITE, RESPONSE).read_bytes(), *_first())
    replies = [r for r in page.follow if r.purpose == "replies"]
    assert [(r.state["parent_id"], r.state["total"]) for r in replies] == [
        ("63996244", 10),
        ("63996485", 1),
        ("63996356", 7),
    ]
    assert replies[0].url == (
        f"{API}/getreplay?siteid=1001005&objectid=5101768&objecttype=1&id=63996244"
        "&limit=24&offset=0&sort_by=like"
    )
    [next_page] = [r for r in page.follow if r.purpose == "page"]
    assert next_page.url == (
        f"{API}/get?objectid=5101768&objecttype=1&siteid=1001005&categoryid=1001006"
        "&offset=5&limit=24"
    )
    assert next_page.state == {"offset": 5}


def test_last_page_has_no_next_page() -> None:
    body = _response(total=7, items=[_item(70, like=1), _item(71, like=0)])
    page = adapter.parse(body, CommentRequest("u", "page", {"offset": 5}), REF)
    assert [c.site_comment_id for c in page.comments] == ["70", "71"]
    assert page.follow == []


def test_inline_replies_are_read_and_still_fetched_when_some_are_missing() -> None:
    item = _item(80, replys={"total": 3, "items": [_item(81, parent=80), _item(82, parent=80)]})
    page = adapter.parse(_response(total=1, items=[item]), *_first())
    assert [(c.site_comment_id, c.parent_site_id) for c in page.comments] == [
        ("80", None),
        ("81", "80"),
        ("82", "80"),
    ]
    assert [(r.purpose, r.state) for r in page.follow] == [
        ("replies", {"parent_id": "80", "total": 3, "offset": 0})
    ]


def test_reply_pages_stop_at_the_parents_total() -> None:
    first = CommentRequest("u", "replies", {"parent_id": "80", "total": 3, "offset": 0})
    page = adapter.parse(_response(items=[_item(81, parent=80), _item(82, parent=80)]), first, REF)
    assert [c.parent_site_id for c in page.comments] == ["80", "80"]
    [more] = page.follow
    assert more.state == {"parent_id": "80", "total": 3, "offset": 2}
    assert "id=80&limit=24&offset=2" in more.url
    last = adapter.parse(_response(items=[_item(83, parent=80)]), more, REF)
    assert [c.site_comment_id for c in last.comments] == ["83"]
    assert last.follow == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "VnExpress: comment response is not JSON"),
        (b'{"error": 1, "errorDescription": "objectid invalid"}', "returned error 1"),
        (b'{"error": 0, "data": null}', "no 'data' object"),
        (b'{"error": 0, "data": {"items": {"a": 1}}}', "data.items is not a list"),
        (b'{"error": 0, "data": {"total": 1, "items": [{"content": "x"}]}}', "without comment_id"),
        (
            b'{"error": 0, "data": {"total": 1, "items": [{"comment_id": 1}]}}',
            "comment 1 has no usable creation_time",
        ),
    ],
)
def test_broken_responses_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, *_first())


def test_a_challenge_instead_of_json_is_blocked() -> None:
    page = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_bytes()
    with pytest.raises(BlockedError, match="VnExpress"):
        adapter.parse(page, *_first())


def _first() -> tuple[CommentRequest, ArticleRef]:
    return adapter.first_requests(REF)[0], REF


def _item(cid: int, parent: int | None = None, like: int = 2, **extra: object) -> dict[str, object]:
    return {
        "comment_id": cid,
        "parent_id": parent or cid,
        "content": f"ý kiến {cid}",
        "full_name": "Bạn đọc",
        "creation_time": 1785050260,
        "userlike": like,
        **extra,
    }


def _response(items: list[dict[str, object]], total: int | None = None) -> bytes:
    data: dict[str, object] = {"items": items}
    if total is not None:
        data["total"] = total
    return json.dumps({"error": 0, "data": data}).encode()
