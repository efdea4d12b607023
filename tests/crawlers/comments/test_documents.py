"""Parsed comments become Comment documents; names stay out unless asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawlers.comments.base import ArticleRef, ParsedComment
from crawlers.comments.documents import to_document
from crawlers.comments.thanhnien import ThanhNienAdapter
from crawlers.comments.vnexpress import VnExpressAdapter
from crawlers.pseudonym import Pseudonymizer
from indexer.documents import Comment, article_id
from tests.shared import site_fixture

PSEUDONYMIZER = Pseudonymizer(b"k" * 32)
CRAWLED = datetime(2026, 8, 1, 12, tzinfo=UTC)
REF = ArticleRef(url="https://vnexpress.net/bai-viet-5101768.html", site_article_id="5101768")
ARTICLE_DOC = article_id(REF.url)


def _doc(parsed: ParsedComment, keep: bool = False, ref: ArticleRef = REF) -> Comment:
    return to_document(
        parsed,
        ref,
        source=ref.url.split("/")[2],
        source_name="Báo",
        article_doc_id=article_id(ref.url),
        pseudonymizer=PSEUDONYMIZER,
        keep_author_names=keep,
        crawled_at=CRAWLED,
    )


def _vnexpress() -> list[ParsedComment]:
    body = site_fixture("vnexpress.net", "comments-5101768-objecttype1-offset0.json").read_bytes()
    adapter = VnExpressAdapter()
    return adapter.parse(body, adapter.first_requests(REF)[0], REF).comments


def _thanhnien() -> tuple[list[ParsedComment], ArticleRef]:
    ref = ArticleRef(url="https://thanhnien.vn/bai-185260712201942802.htm", site_article_id="1")
    name = "comments-listcomment-185260712201942802-page1.html"
    adapter = ThanhNienAdapter()
    body = site_fixture("thanhnien.vn", name).read_bytes()
    return adapter.parse(body, adapter.first_requests(ref)[0], ref).comments, ref


def test_a_top_level_comment() -> None:
    parsed = _vnexpress()[0]
    doc = _doc(parsed)
    assert doc.kind == "comment"
    assert doc.id == "vnexpress.net:63996244"
    assert doc.parent_id == ARTICLE_DOC
    assert doc.thread_id == ARTICLE_DOC
    assert doc.url == "https://vnexpress.net/bai-viet-5101768.html#comment-63996244"
    assert doc.source == "vnexpress.net"
    assert doc.source_name == "Báo"
    assert doc.text == parsed.text
    assert doc.published_at == datetime(2026, 7, 26, 7, 17, 40, tzinfo=UTC)
    assert doc.crawled_at == CRAWLED
    assert (doc.likes, doc.replies) == (132, 10)
    assert doc.author_id == PSEUDONYMIZER.author_id("vnexpress.net", "yousay2027")
    assert doc.author_name is None


def test_a_reply_points_to_its_parent_comment() -> None:
    comments, ref = _thanhnien()
    [reply] = [c for c in comments if c.parent_site_id]
    doc = _doc(reply, ref=ref)
    assert doc.id == "thanhnien.vn:365c12e6-e412-4144-8e9c-e4be77406443"
    assert doc.parent_id == "thanhnien.vn:cf3003da-1b93-4c72-8eb6-227c881b1d85"
    assert doc.thread_id == article_id(ref.url)
    assert doc.published_at == datetime(2026, 7, 13, 3, 14, 49, tzinfo=UTC)
    assert doc.replies is None


@pytest.mark.parametrize("source", ["vnexpress", "thanhnien"])
def test_names_never_reach_the_document_by_default(source: str) -> None:
    if source == "vnexpress":
        comments, ref = _vnexpress(), REF
    else:
        comments, ref = _thanhnien()
    for parsed in comments:
        assert parsed.author_name
        stored = json.dumps(_doc(parsed, ref=ref).to_source(), ensure_ascii=False)
        assert parsed.author_name not in stored
        assert "author_name" not in stored
        assert "author_id" in stored


def test_names_are_kept_when_asked() -> None:
    comments, ref = _thanhnien()
    doc = _doc(comments[1], keep=True, ref=ref)
    assert doc.author_name == "PHẠM VĂN HƯNG"
    assert doc.author_id == PSEUDONYMIZER.author_id("thanhnien.vn", "PHẠM VĂN HƯNG")


def test_a_comment_without_a_name_has_no_author() -> None:
    parsed = ParsedComment("7", None, "Ẩn danh", CRAWLED, 0, author_name="  ")
    doc = _doc(parsed, keep=True)
    assert (doc.author_id, doc.author_name) == (None, None)
