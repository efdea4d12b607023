"""Article links on a listing page: absolute, de-duplicated, in page order."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawlers.extract.page import parse_html
from crawlers.extract.urls import normalized_url
from crawlers.sources import Source

_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#", "data:")


def article_links(html: str, base_url: str, source: Source) -> list[str]:
    """URLs of the page's links that match the source's article patterns.

    Fragments and tracking parameters are dropped (``...-5047363.html#box_comment`` and
    ``...?utm_source=rss`` are the same article); the page's ``<base href>`` is honoured.
    """
    root = parse_html(html)
    if root is None:
        return []
    base = _base_url(root, base_url)
    found: dict[str, None] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.casefold().startswith(_NOT_PAGES):
            continue
        url = normalized_url(urljoin(base, href))
        if source.is_article_url(url):
            found.setdefault(url)
    return list(found)


def _base_url(root: HtmlElement, page_url: str) -> str:
    base = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    return urljoin(page_url, base.strip()) if base else page_url
