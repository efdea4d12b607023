"""Every comment adapter on hostile responses (marker ``hostile``): broken JSON, wrong types,
missing fields, huge payloads, emoji floods, megabyte comments. The answer is a
``CommentPage`` or a ``CommentFormatError`` naming the site, never another exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentPage, CommentRequest
from crawlers.comments.html import count, html_to_text, load_json
from crawlers.comments.registry import ADAPTERS
from tests.hostile import FEW, VERY_FEW, finishes_within, informal_text

pytestmark = pytest.mark.hostile

REF = ArticleRef(
    url="https://vnexpress.net/bai-viet-5101768.html",
    site_article_id="5101768",
    extra={"article_type": "1", "site_id": "1001005", "category_id": "1", "website_id": "1"},
)
# Every field name any adapter reads, so that generated objects reach past the first check.
FIELDS = [
    "data", "items", "total", "comment_id", "parent_id", "creation_time", "content", "userlike",
    "full_name", "replys", "error", "Data", "Success", "id", "created_date", "published_date",
    "child_comments", "child_count", "likes", "reactions", "sender_fullname", "status",
    "comments", "commentId", "parentId", "commentContent", "createdDate", "totalLike",
    "userName", "totalAnswer", "replyCount",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.sampled_from(["", "0", "1.234", "2026-03-07T08:00:54", "2026-13-45", "-1", "1e9999",
                     "١٢٣", "²", "9" * 5000, "<b>x</b>", "😡" * 50, "\x00", "\ud800"]),
    informal_text(60),
)  # fmt: skip
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=8)
    ),
    max_leaves=30,
)


def requests_for(name: str) -> list[CommentRequest]:
    adapter = ADAPTERS[name]
    first = adapter.first_requests(REF)
    replies = CommentRequest(
        url="https://example.invalid/replies",
        purpose="replies",
        state={"parent_id": "1", "total": 5, "offset": 0, "seen": 0, "page": 1},
    )
    return [*first, replies]


def parse(name: str, body: bytes) -> None:
    """Parse ``body`` as every request kind of adapter ``name``: a page or a named error."""
    adapter = ADAPTERS[name]
    for request in requests_for(name):
        try:
            page = adapter.parse(body, request, REF)
        except CommentFormatError as error:
            message = str(error)
        else:
            assert isinstance(page, CommentPage)
            for comment in page.comments:
                assert comment.created_at.tzinfo is not None
                assert isinstance(comment.likes, int)
            continue
        assert message


ALL = sorted(ADAPTERS)


@FEW
@given(st.sampled_from(ALL), st.binary(max_size=2000))
@example("vnexpress", b"1" * 5000)  # found: json.loads raised ValueError (int digit limit)
@example("dantri", b"[" * 100_000)  # found: json.loads raised RecursionError
@example("tuoitre", b'{"Data": "' + b"[" * 100_000 + b'"}')  # the same, in JSON inside JSON
@example("voz", b"\xff\xfe<article>")
def test_random_bytes(name: str, body: bytes) -> None:
    parse(name, body)


@FEW
@given(st.sampled_from(ALL), JSON_VALUES)
@example(
    "vnexpress",
    {"data": {"items": [{"comment_id": 1, "creation_time": 10**20}], "total": 1}},
)  # found: datetime.fromtimestamp raised OverflowError
@example("vnexpress", {"data": {"items": [{"comment_id": 1, "creation_time": 1e308}]}})
@example("dantri", {"items": [{"commentId": 1, "createdDate": "2026-03-07", "replyCount": "²"}]})
@example("vietnamnet", {"status": True, "data": {"comments": [{"commentId": 1,
         "createdDate": "2026-03-07", "totalLike": "9" * 5000}]}})  # fmt: skip
@example("tuoitre", {"Data": [{"id": 1, "created_date": "2026-03-07", "content": "\ufffe<b>x"}]})
@example("thanhnien", [0])  # found: parsel read a JSON body as JSON, then refused xpath
def test_json_of_any_shape(name: str, payload: Any) -> None:
    try:
        body = json.dumps(payload).encode("utf-8", errors="surrogatepass")
    except ValueError:  # NaN and infinities: dumped as bare words, which load_json refuses
        return
    parse(name, body)


@pytest.mark.parametrize("name", ALL)
def test_a_huge_payload_of_megabyte_emoji_comments(name: str) -> None:
    flood = "😡🤬👍🇻🇳" * 70_000  # about 1 MB of emoji in one comment
    item = {"comment_id": 1, "creation_time": 1772845254, "content": flood, "id": 1,
            "created_date": "2026-03-07T08:00:54", "commentId": 1, "commentContent": flood,
            "createdDate": "2026-03-07T08:00:54", "likes": 1}  # fmt: skip
    payloads = {
        "vnexpress": {"data": {"items": [item] * 3, "total": 3}},
        "tindansinh": {"data": {"items": [item] * 3, "total": 3}},
        "dantri": {"items": [item] * 3},
        "tuoitre": {"Data": json.dumps([item] * 3)},
        "vietnamnet": {"status": True, "data": {"comments": [item] * 3}},
    }
    html = (
        '<div class="item box_cm" data-cmid="1"><div class="item-content">'
        f'<p class="text-comment">{flood}</p><div class="item-bottom">'
        '<span class="time-ago" title="08:00 07/03/2026"></span></div></div></div>'
    )
    bodies = {"thanhnien": html, "voz": html}
    body = payloads.get(name) or bodies[name]
    raw = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
    with finishes_within(60, f"{name}: a 3 MB comment response"):
        parse(name, raw)


@VERY_FEW
@given(informal_text(400))
@example("\ufffe<p>x</p>")  # found: lxml refused U+FFFE with ValueError
@example("a\x0b<b>b</b>")  # found: the same for control characters before markup
@example("\ud800<b>tiếng Việt</b>")  # found: a lone surrogate emptied the whole comment
def test_html_to_text_keeps_the_words(fragment: str) -> None:
    text = html_to_text(fragment)
    if "<" not in fragment:
        # No markup: every word survives (entities aside).
        words = [w for w in fragment.split() if w.isalpha() and "&" not in fragment]
        assert all(w in text for w in words)
    assert "tiếng Việt" in html_to_text(fragment + " <b>tiếng Việt</b>")


@given(st.one_of(SCALARS, st.lists(st.integers(), max_size=2)))
@example("9" * 5000)  # found: int() raised ValueError past 4,300 digits
@example("²")  # found: str.isdigit holds for superscripts, int() refuses them
@FEW
def test_count_is_a_count_or_a_named_error(value: Any) -> None:
    try:
        got = count(value, "site", "likes")
    except CommentFormatError:
        return
    assert isinstance(got, int)
    assert 0 <= got < 2**31  # the mapping's integer


def test_load_json_on_a_deep_nest_is_a_named_error() -> None:
    with pytest.raises(CommentFormatError, match="site: comment response is not JSON"):
        load_json(b"[" * 100_000 + b"]" * 100_000, "site")
