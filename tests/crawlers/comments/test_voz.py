"""voz.vn adapter: our two-page XenForo 2 thread, the saved header and Cloudflare challenge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawlers.comments.base import ArticleRef, CommentFormatError, CommentRequest
from crawlers.comments.voz import BlockedError, VozAdapter
from tests.crawlers.comments import own_fixture
from tests.shared import site_fixture

THREAD = "https://voz.vn/t/gia-dien-tang-anh-em-tiet-kiem-dien-the-nao.1302468/"
ICT = timezone(timedelta(hours=7))
REF = ArticleRef(
    url=THREAD,
    site_article_id="1302468",
    extra={"title": "Giá điện tăng, anh em tiết kiệm điện thế nào?"},
)
adapter = VozAdapter()


def _page(n: int) -> bytes:
    return own_fixture(f"voz-thread-1302468-page{n}.html").read_bytes()


def _challenge() -> bytes:
    return site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_bytes()


def test_article_ref_is_the_thread_id_from_the_url() -> None:
    html = _page(1).decode()
    assert adapter.article_ref(html, THREAD + "page-2?order=reaction_score") == REF
    assert adapter.article_ref("", THREAD + "post-41120057") == ArticleRef(THREAD, "1302468")
    assert adapter.article_ref("", "https://voz.vn/f/diem-bao.33/") is None


def test_article_ref_reads_the_title_of_the_saved_header() -> None:
    html = site_fixture("voz.vn", "fragment-thread-header-464528.html").read_text(encoding="utf-8")
    url = "https://voz.vn/t/clb-chung-khoan-chia-se-kinh-nghiem-dau-tu-chung-khoan-version-2022.464528/"
    ref = adapter.article_ref(html, url)
    assert ref == ArticleRef(
        url=url,
        site_article_id="464528",
        extra={"title": "[CLB Chứng khoán] Chia sẻ kinh nghiệm đầu tư chứng khoán Version 2022"},
    )


def test_first_request_is_the_thread_page() -> None:
    assert adapter.first_requests(REF) == [CommentRequest(THREAD, "page", {"page": 1})]


def test_first_page_posts() -> None:
    page = adapter.parse(_page(1), adapter.first_requests(REF)[0], REF)
    assert [c.site_comment_id for c in page.comments] == ["41120001", "41120057", "41120102"]
    assert all(c.parent_site_id is None and c.reply_count is None for c in page.comments)
    first = page.comments[0]
    assert first.author_name == "cu_toi_xom_dong"
    assert first.created_at == datetime(2026, 7, 20, 20, 15, 4, tzinfo=ICT)
    assert first.text == (
        "Tháng này hoá đơn điện nhà mình tăng gần 30% dù dùng y như tháng trước.\n"
        "Anh em có mẹo gì tiết kiệm điện mùa nắng nóng không, chia sẻ với."
    )
    assert first.likes == 5  # "meo_beo_88, Gió Lào and 3 others"
    assert page.comments[1].author_name == "Gió Lào"
    assert page.comments[1].likes == 0


def test_quotes_are_removed_from_a_post() -> None:
    reply = adapter.parse(_page(1), adapter.first_requests(REF)[0], REF).comments[2]
    assert reply.text == "Chuẩn bác, nhà em làm vậy giảm được gần trăm nghìn mỗi tháng."
    assert reply.likes == 1


def test_pages_follow_until_the_last() -> None:
    first = adapter.parse(_page(1), adapter.first_requests(REF)[0], REF)
    assert first.follow == [CommentRequest(THREAD + "page-2", "page", {"page": 2})]
    last = adapter.parse(_page(2), first.follow[0], REF)
    assert [(c.site_comment_id, c.author_name) for c in last.comments] == [
        ("41120388", "thang_ban_dien"),
        ("41120415", "cu_toi_xom_dong"),
    ]
    assert last.comments[1].text.endswith("báo lại & so sánh hoá đơn.")
    assert last.follow == []


def test_the_saved_challenge_page_is_blocked_never_parsed() -> None:
    with pytest.raises(BlockedError, match="blocked by a Cloudflare challenge"):
        adapter.parse(_challenge(), adapter.first_requests(REF)[0], REF)
    with pytest.raises(BlockedError):
        adapter.article_ref(_challenge().decode(), THREAD)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body><p>Oops! We ran into some problems.</p></body></html>", "no posts"),
        (b'<article class="message js-post" data-content="x"></article>', "post without"),
        (b'<article class="js-post" data-content="post-1"></article>', "post 1 has no time"),
        (
            b'<article class="js-post" data-content="post-1"><time datetime="2026-07-20T20:15:04'
            b'+0700"></time></article>',
            "post 1 has no .bbWrapper",
        ),
    ],
)
def test_broken_pages_fail_loudly(body: bytes, message: str) -> None:
    with pytest.raises(CommentFormatError, match=message):
        adapter.parse(body, adapter.first_requests(REF)[0], REF)
