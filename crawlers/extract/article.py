"""One article page -> one ``Article``: generic extraction first, site selectors on top.

Generic: JSON-LD, OpenGraph/``article:`` meta and the canonical link (``metadata.py``),
trafilatura for the body, the printed date and then htmldate when metadata has no date.
A source's selectors then override field by field; a field whose selector matches
nothing keeps the generic answer. Pages that are not articles are refused with a named
reason (``ExtractionError.reason``), so the crawl can count them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawlers.blocked import challenge_kind
from crawlers.extract.body import generic_paragraphs, tidy
from crawlers.extract.dates import htmldate_date, printed_date
from crawlers.extract.errors import (
    BLOCKED,
    EMPTY_PAGE,
    NO_BODY,
    NO_TITLE,
    NOT_AN_ARTICLE,
    ExtractionError,
)
from crawlers.extract.links import article_links
from crawlers.extract.metadata import PageMetadata, person_names, read_metadata
from crawlers.extract.page import parse_page
from crawlers.extract.selectors import PageSelectors, as_xpath
from crawlers.extract.text import clean, strip_dateline
from crawlers.extract.urls import normalized_url
from crawlers.sources import Source
from indexer.documents import Article, article_id

__all__ = ["ExtractionError", "article_links", "extract_article"]

log = logging.getLogger(__name__)


def extract_article(html: str, url: str, source: Source, crawled_at: datetime) -> Article:
    """The article on ``html`` (fetched from ``url``), or ``ExtractionError`` saying why not."""
    root, html = parse_page(html)  # html flattened if it nests too deep for the parser
    if root is None:
        raise ExtractionError(EMPTY_PAGE, url)
    challenge = challenge_kind(html)
    if challenge:
        raise ExtractionError(BLOCKED, url, f"{challenge} page, not content")
    meta = read_metadata(root, url, _publisher_names(source))
    fetched = normalized_url(url)
    canonical = meta.canonical or fetched
    if not (meta.is_article or source.is_article_url(canonical) or source.is_article_url(fetched)):
        raise ExtractionError(NOT_AN_ARTICLE, url, "no article metadata, not an article URL")
    site = PageSelectors(root)
    chosen = source.selectors
    title = site.text(chosen.title) or meta.title
    if not title:
        raise ExtractionError(NO_TITLE, url)
    lead = _lead(site.text(chosen.lead) or meta.lead)
    paragraphs, byline = tidy(_paragraphs(html, url, source, site), title, lead)
    if not paragraphs:
        raise ExtractionError(NO_BODY, url)
    authors = person_names(site.texts(chosen.author), _publisher_names(source))
    authors = authors or meta.authors or ([byline] if byline else [])
    return Article(
        id=article_id(canonical),
        source=source.domains[0],
        source_name=source.name,
        url=canonical,
        title=title,
        lead=lead,
        text="\n\n".join(paragraphs),
        published_at=site.date(chosen.published_at) or _published(root, url, meta),
        crawled_at=crawled_at,
        author=", ".join(authors) or None,
        section=site.text(chosen.section) or meta.section,
        tags=site.texts(chosen.tags) or meta.tags or None,
    )


def _paragraphs(html: str, url: str, source: Source, site: PageSelectors) -> list[str]:
    chosen = source.selectors
    if chosen.body:
        paragraphs = site.body(chosen.body, chosen.remove)
        if paragraphs:
            return paragraphs
        # The site changed its layout: say so, and let the generic extraction try.
        log.warning("%s: body selector %r matched no text on %s", source.key, chosen.body, url)
    return generic_paragraphs(html, url, [as_xpath(css) for css in chosen.remove])


def _lead(text: str | None) -> str | None:
    """The lead without the agency dateline; None when there is none."""
    return (clean(strip_dateline(text)) or None) if text else None


def _published(root: HtmlElement, url: str, meta: PageMetadata) -> datetime | None:
    return meta.published_at or printed_date(root) or htmldate_date(root, url)


def _publisher_names(source: Source) -> list[str]:
    """Names that mean the publication itself, never a person's byline."""
    labels = [urlsplit(f"//{d}").hostname or d for d in source.domains]
    return [source.name, source.key, *labels, *(label.split(".")[0] for label in labels)]
