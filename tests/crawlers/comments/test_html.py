"""Shared response helpers: HTML to text, challenge pages, JSON bodies, local times, counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.comments.base import CommentFormatError
from crawlers.comments.html import (
    VN_TZ,
    BlockedError,
    count,
    html_to_text,
    is_challenge_page,
    load_json,
    local_datetime,
    raise_if_blocked,
)
from tests.shared import site_fixture


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ('"Trích dẫn ..."<br />Rất ủng hộ.', '"Trích dẫn ..."\nRất ủng hộ.'),
        ("<p>Đoạn  một</p><p>Đoạn&nbsp;hai</p>", "Đoạn một\nĐoạn hai"),
        ("a<br><br>\n<br/>b", "a\nb"),
        ("Giá &amp; lương <b>tăng</b>   nhẹ", "Giá & lương tăng nhẹ"),
        ("trước<script>alert(1)</script> sau<!-- ghi chú -->!", "trước sau!"),
        ("chỉ   chữ  ", "chỉ chữ"),
        ("   ", ""),
    ],
)
def test_html_to_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


def test_html_to_text_is_nfc() -> None:
    decomposed = "Ho\u0300a"  # o + combining grave accent
    assert html_to_text(f"<p>{decomposed}</p>") == "H\u00f2a"


def test_the_saved_voz_challenge_is_detected() -> None:
    page = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_bytes()
    assert is_challenge_page(page.decode())
    with pytest.raises(BlockedError, match=r"voz\.vn: blocked by a Cloudflare challenge"):
        raise_if_blocked(page, "voz.vn")


def test_blocked_is_a_format_error() -> None:
    assert issubclass(BlockedError, CommentFormatError)


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Attention Required! | Cloudflare</title></head></html>",
        '<div id="cf-error-details">Sorry, you have been blocked</div>',
        "<script>window._cf_chl_opt = {cType: 'managed'};</script>",
    ],
)
def test_other_cloudflare_pages_are_detected(page: str) -> None:
    assert is_challenge_page(page)


def test_a_normal_page_with_cloudflare_bot_script_is_not_blocked() -> None:
    # Cloudflare injects this script into ordinary pages; it is no challenge.
    page = (
        "<html><head><title>Giá điện tăng | VOZ</title></head><body><p>nội dung</p>"
        "<script>a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';</script></body></html>"
    )
    assert not is_challenge_page(page)


def test_load_json_names_the_site_and_the_problem() -> None:
    assert load_json(b'{"a": [1]}', "Site") == {"a": [1]}
    with pytest.raises(CommentFormatError, match=r"^Site: comment response is not JSON"):
        load_json(b"<html>502 Bad Gateway</html>", "Site")


def test_load_json_reports_a_challenge_as_blocked() -> None:
    page = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_bytes()
    with pytest.raises(BlockedError):
        load_json(page, "Site")


def test_local_datetime() -> None:
    utc = datetime(2026, 7, 30, 9, 25, 56, tzinfo=UTC)
    assert local_datetime("2026-07-30T16:25:56", "S") == utc
    assert local_datetime("2026-07-30T16:25:56", "S").tzinfo is VN_TZ
    assert local_datetime("2025-09-13T10:54:53+0700", "S") == datetime(
        2025, 9, 13, 3, 54, 53, tzinfo=UTC
    )
    parsed = local_datetime("07/13/2026 09:12:25", "S", "%m/%d/%Y %H:%M:%S")
    assert parsed == datetime(2026, 7, 13, 2, 12, 25, tzinfo=UTC)
    with pytest.raises(CommentFormatError, match=r"^S: unreadable comment time 'hôm qua'"):
        local_datetime("hôm qua", "S")


def test_count() -> None:
    assert count(12, "S", "likes") == 12
    assert count("1.234", "S", "likes") == 1234
    assert count(None, "S", "likes") == 0
    with pytest.raises(CommentFormatError, match=r"^S: likes is not a count: '1,2K'"):
        count("1,2K", "S", "likes")
    with pytest.raises(CommentFormatError):
        count(True, "S", "likes")
