"""Listing pages: ``article_links`` finds every article link, and only those.

Counts and first links were read off the saved pages (``grep -o 'href="..."'`` on the raw
HTML, de-duplicated after dropping fragments), not from ``article_links``.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from lxml.html import document_fromstring

from crawlers.extract import article_links
from crawlers.sources import Source, load_sources
from tests.shared import site_fixture

# Any site's article id: a hyphen, 7+ digits (optionally "post"), the page extension. Wider
# than the per-site patterns on purpose: it is the check that they miss no article.
ARTICLE_SHAPE = re.compile(r"-(?:post)?\d{7,}\.(?:html?|tpo|ldo|vov)$")

LISTINGS = [
    # site, saved page, the URL it was saved from (SOURCES.md), article links, the first one
    ("vnexpress.net", "category-kinh-doanh.html", "https://vnexpress.net/kinh-doanh", 50,
     "https://vnexpress.net/gia-vang-the-gioi-tang-manh-dau-tho-vuot-90-usd-5047621.html"),
    ("tuoitre.vn", "category-kinh-doanh.html", "https://tuoitre.vn/kinh-doanh.htm", 15,
     "https://tuoitre.vn/chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.htm"),
    ("baochinhphu.vn", "category-chinh-sach-moi.html",
     "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm", 34,
     "https://baochinhphu.vn/moi-giao-vien-mam-non-khong-kiem-nhiem-qua-2-nhiem-vu-102260305092012481.htm"),
    ("dantri.com.vn", "category-kinh-doanh.html", "https://dantri.com.vn/kinh-doanh.htm", 44,
     "https://dantri.com.vn/kinh-doanh/gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.htm"),
    ("nld.com.vn", "category-kinh-te.html", "https://nld.com.vn/kinh-te.htm", 37,
     "https://nld.com.vn/nhung-sai-sot-ho-kinh-doanh-thuong-gap-khi-thuc-hien-quy-dinh-moi-ve-thue-196260307071308923.htm"),
    ("vietnamnet.vn", "category-kinh-doanh.html", "https://vietnamnet.vn/kinh-doanh", 31,
     "https://vietnamnet.vn/co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html"),
]  # fmt: skip


def source_for(site: str) -> Source:
    return next(s for s in load_sources().values() if site in s.domains)


def article_shaped_links(html: str, base_url: str, site: str) -> set[str]:
    """Links on the site's own host that look like articles, found without the patterns."""
    found = set()
    for href in document_fromstring(html).xpath("//a/@href"):
        url = urldefrag(urljoin(base_url, href.strip())).url
        if urlsplit(url).hostname == site and ARTICLE_SHAPE.search(url):
            found.add(url)
    return found


@pytest.mark.parametrize(("site", "name", "base_url", "count", "first"), LISTINGS,
                         ids=[row[0] for row in LISTINGS])  # fmt: skip
def test_listing_links(site: str, name: str, base_url: str, count: int, first: str) -> None:
    html = site_fixture(site, name).read_text(encoding="utf-8")
    links = article_links(html, base_url, source_for(site))
    assert len(links) == count
    assert links[0] == first
    assert len(set(links)) == len(links)
    assert set(links) == article_shaped_links(html, base_url, site)


def test_dantri_video_pages_are_not_articles() -> None:
    dantri = source_for("dantri.com.vn")
    assert not dantri.is_article_url(
        "https://dantri.com.vn/video/bo-bua-trua-xin-nghi-lam-di-mua-vang-ngay-via-than-tai-187983.htm"
    )
    assert not source_for("vietnamnet.vn").is_article_url(
        "https://vietnamnet.vn/gia-vang-tag14642850852768478603.html"
    )


def test_links_are_absolute_unique_in_page_order_and_honour_base() -> None:
    html = """<html><head><base href="https://vnexpress.net/"></head><body>
      <a href="/b-1000002.html">B</a>
      <a href="https://vnexpress.net/a-1000001.html#box_comment_vne">A</a>
      <a href="/b-1000002.html?utm_source=home&utm_medium=box">B again, tracked</a>
      <a href="javascript:void(0)">menu</a> <a href="mailto:x@y.vn">mail</a>
      <a href="/kinh-doanh">section</a> <a href="https://e.vnexpress.net/news/x-1000003.html">en</a>
      <a href="c-1000004.html">relative: /c-... by the base, /thoi-su/c-... without it</a>
    </body></html>"""
    links = article_links(html, "https://vnexpress.net/thoi-su/", source_for("vnexpress.net"))
    assert links == [
        "https://vnexpress.net/b-1000002.html",
        "https://vnexpress.net/a-1000001.html",
        "https://vnexpress.net/c-1000004.html",
    ]


def test_no_links_on_an_empty_page() -> None:
    assert article_links("", "https://vnexpress.net/", source_for("vnexpress.net")) == []
