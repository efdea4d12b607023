"""Pages we refuse, each with its named reason (the crawl counts drops by reason)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.extract import ExtractionError, extract_article
from crawlers.extract.errors import BLOCKED, EMPTY_PAGE, NO_BODY, NO_TITLE, NOT_AN_ARTICLE
from crawlers.sources import Source, load_sources
from tests.shared import site_fixture

NOW = datetime(2026, 11, 25, tzinfo=UTC)
ARTICLE_URL = "https://vnexpress.net/gia-xang-dau-co-the-duoc-dieu-chinh-som-hon-5047601.html"
PARAGRAPHS = "".join(
    f"<p>Đoạn {n}: người dân phản ánh giá xăng tăng liên tục khiến chi phí đi lại của công "
    f"nhân và người lao động tự do tăng theo, trong khi thu nhập không đổi.</p>"
    for n in range(1, 5)
)


def source(key: str = "vnexpress") -> Source:
    return load_sources()[key]


def refuse(html: str, url: str = ARTICLE_URL, key: str = "vnexpress") -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        extract_article(html, url, source(key), NOW)
    return caught.value


@pytest.mark.parametrize("html", ["", "   \n\t", "<!-- nothing here -->"])
def test_empty_page(html: str) -> None:
    error = refuse(html)
    assert error.reason == EMPTY_PAGE
    assert isinstance(error, ValueError)
    assert error.url == ARTICLE_URL


def test_page_without_a_title() -> None:
    html = f"""<html><head><meta charset="utf-8">
      <script type="application/ld+json">{{"@type": "NewsArticle",
        "datePublished": "2026-03-07T09:00:00+07:00"}}</script></head>
      <body><article class="fck_detail">{PARAGRAPHS}</article></body></html>"""
    error = refuse(html)
    assert error.reason == NO_TITLE
    assert str(error).startswith("no title: https://vnexpress.net/")


def test_page_without_body_text() -> None:
    html = """<html><head><title>Video: Giá xăng tăng - VnExpress</title>
      <meta property="og:title" content="Video: Giá xăng tăng">
      <meta property="article:published_time" content="2026-03-07T09:00:00+07:00"></head>
      <body><h1>Video: Giá xăng tăng</h1><figure><video src="x.mp4"></video>
      <figcaption></figcaption></figure></body></html>"""
    assert refuse(html).reason == NO_BODY


@pytest.mark.parametrize(
    ("site", "name", "url"),
    [
        ("vnexpress.net", "category-kinh-doanh.html", "https://vnexpress.net/kinh-doanh"),
        ("tuoitre.vn", "category-kinh-doanh.html", "https://tuoitre.vn/kinh-doanh.htm"),
        ("baochinhphu.vn", "category-chinh-sach-moi.html",
         "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm"),
        ("dantri.com.vn", "category-kinh-doanh.html", "https://dantri.com.vn/kinh-doanh.htm"),
        ("dantri.com.vn", "home-2019-07.html", "https://dantri.com.vn/"),
        ("nld.com.vn", "category-kinh-te.html", "https://nld.com.vn/kinh-te.htm"),
        ("vietnamnet.vn", "category-kinh-doanh.html", "https://vietnamnet.vn/kinh-doanh"),
    ],
)  # fmt: skip
def test_listing_pages_are_not_articles(site: str, name: str, url: str) -> None:
    """Dân Trí and Người Lao Động label listings og:type=article: that alone is not enough."""
    key = next(k for k, s in load_sources().items() if site in s.domains)
    html = site_fixture(site, name).read_text(encoding="utf-8")
    assert refuse(html, url, key).reason == NOT_AN_ARTICLE


def test_cloudflare_challenge_is_a_block_not_content() -> None:
    html = site_fixture("voz.vn", "blocked-cloudflare-challenge-thread-1261254.html").read_text(
        encoding="utf-8"
    )
    url = (
        "https://voz.vn/t/xe-khach-lao-khoi-cao-toc-phap-van-cau-gie-4-nguoi-tu-vong.1261254/"
        "post-42973327"
    )
    error = refuse(html, url, "voz")
    assert error.reason == BLOCKED
    assert "blocked" in str(error)
    assert "Cloudflare challenge" in str(error)


def test_unknown_reason_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown extraction failure reason"):
        ExtractionError("it broke", ARTICLE_URL)
