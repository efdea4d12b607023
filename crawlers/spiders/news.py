"""One spider for every configured news site: entry points -> articles -> comment threads.

Everything site-specific comes from ``sources.yaml`` (entry points, URL patterns,
selectors, limits) and the named comment adapter. Articles already stored by an earlier run
are not fetched again; the comments of young articles are.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.comments.base import (
    ArticleRef,
    CommentAdapter,
    CommentFormatError,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.documents import to_document
from crawlers.comments.registry import get_adapter
from crawlers.encoding import EncodingError, decode_page
from crawlers.extract.article import ExtractionError, article_links, extract_article
from crawlers.items import FetchedArticle
from crawlers.pipeline import settings_from_crawler, state_path
from crawlers.pseudonym import Pseudonymizer, load_or_create_key
from crawlers.sources import Source, load_sources
from crawlers.state import CrawlState
from indexer.documents import Article, Comment, article_id

FEED_LINKS = "//item/link/text() | //*[local-name()='entry']/*[local-name()='link']/@href"
CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
SITEMAP_LOCS = "//*[local-name()='loc']/text()"


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, source: Source, since: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(name=f"news-{source.key}", **kwargs)
        self.source = source
        self.since = since
        self.allowed_domains = list(source.domains)
        self.adapter: CommentAdapter | None = (
            get_adapter(source.comments) if source.comments else None
        )
        self.state: CrawlState | None = None
        self.pseudonymizer: Pseudonymizer | None = None
        self.keep_author_names = False
        self.articles_requested = 0
        self.comment_pages: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = settings_from_crawler(crawler)
        spider.state = CrawlState(state_path(settings))
        spider.pseudonymizer = Pseudonymizer(load_or_create_key(settings))
        spider.keep_author_names = settings.keep_author_names
        if spider.source.limits.download_delay_s is not None:
            # Scrapy reads this attribute instead of DOWNLOAD_DELAY when a spider has it.
            setattr(spider, "download_delay", spider.source.limits.download_delay_s)  # noqa: B010
        return spider

    def closed(self, reason: str) -> None:
        if self.state is not None:
            self.state.close()

    # -- discovery -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._refresh_threads():
            yield request
        callbacks = {"rss": self.parse_feed, "sitemap": self.parse_sitemap,
                     "section": self.parse_listing}  # fmt: skip
        for entry in self.source.entry_points:
            yield scrapy.Request(entry.url, callback=callbacks[entry.kind], dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        for link in response.xpath(FEED_LINKS).getall():
            yield from self._article_request(response.urljoin(link.strip()))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        is_index = bool(response.xpath("//*[local-name()='sitemapindex']"))
        for loc in response.xpath(SITEMAP_LOCS).getall():
            url = loc.strip()
            if is_index:
                yield scrapy.Request(url, callback=self.parse_sitemap)
            else:
                yield from self._article_request(url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        html = self._decode(response)
        if html is None:
            return
        for url in article_links(html, response.url, self.source):
            yield from self._article_request(url)

    def _article_request(self, url: str) -> Iterator[scrapy.Request]:
        if not self.source.is_article_url(url):
            return
        assert self.state is not None  # noqa: S101 (from_crawler)
        if self.state.is_stored(url):
            self._inc("skipped/already_stored")
            return
        if self.articles_requested >= self.source.limits.max_articles_per_run:
            self._inc("skipped/article_limit")
            return
        self.articles_requested += 1
        yield scrapy.Request(url, callback=self.parse_article)

    # -- articles --------------------------------------------------------------------------

    def parse_article(
        self, response: Response
    ) -> Iterator[FetchedArticle | Comment | scrapy.Request]:
        html = self._decode(response)
        if html is None:
            return
        if self.source.kind == "forum":
            yield from self._parse_thread(response, html)
            return
        try:
            article = extract_article(html, response.url, self.source, datetime.now(UTC))
        except ExtractionError as exc:
            self._drop("extraction", response.url, str(exc))
            return
        if self.since and article.published_at and article.published_at < self.since:
            self._inc("skipped/older_than_since")
            return
        ref = self.adapter.article_ref(html, article.url) if self.adapter else None
        urls = [response.request.url if response.request else response.url, response.url,
                article.url]  # fmt: skip
        yield FetchedArticle(article, self.source.key, list(dict.fromkeys(urls)), ref)
        if ref is not None:
            yield from self._comment_requests(article.id, ref)

    def _parse_thread(
        self, response: Response, html: str
    ) -> Iterator[FetchedArticle | Comment | scrapy.Request]:
        """A forum thread: its opening post is the article, the other posts its comments."""
        assert self.adapter is not None  # noqa: S101 (a forum source names its adapter)
        try:
            ref = self.adapter.article_ref(html, response.url)
            if ref is None:
                self._drop("thread", response.url, "not a thread URL")
                return
            first = self.adapter.first_requests(ref)[0]
            page = self.adapter.parse(response.body, first, ref)
        except CommentFormatError as exc:
            self._drop("thread", response.url, str(exc))
            return
        opener = page.comments[0]
        ref = replace(ref, extra={**ref.extra, "opener_id": opener.site_comment_id})
        article = Article(
            id=article_id(ref.url), source=self.source.domains[0], source_name=self.source.name,
            url=ref.url, title=ref.extra.get("title") or opener.text[:120], text=opener.text,
            published_at=opener.created_at, crawled_at=datetime.now(UTC), section="forum",
        )  # fmt: skip
        urls = list(dict.fromkeys([response.url, ref.url]))
        yield FetchedArticle(article, self.source.key, urls, ref)
        yield from self._comment_documents(page.comments, ref, article.id)
        yield from self._follow(page.follow, article.id, ref)

    # -- comments --------------------------------------------------------------------------

    def _refresh_threads(self) -> Iterator[scrapy.Request]:
        if self.adapter is None or self.state is None:
            return
        days = self.source.limits.comments_refresh_days
        for doc_id, ref in self.state.threads_to_refresh(self.source.key, days):
            self._inc("comments/threads_refreshed")
            yield from self._comment_requests(doc_id, ref)

    def _comment_requests(self, doc_id: str, ref: ArticleRef) -> Iterator[scrapy.Request]:
        assert self.adapter is not None  # noqa: S101
        for creq in self.adapter.first_requests(ref):
            yield self._comment_request(creq, doc_id, ref)

    def _comment_request(
        self, creq: CommentRequest, doc_id: str, ref: ArticleRef
    ) -> scrapy.Request:
        return scrapy.Request(
            creq.url, callback=self.parse_comments, dont_filter=True,
            cb_kwargs={"creq": creq, "doc_id": doc_id, "ref": ref},
        )  # fmt: skip

    def parse_comments(
        self, response: Response, creq: CommentRequest, doc_id: str, ref: ArticleRef
    ) -> Iterator[Comment | scrapy.Request]:
        assert self.adapter is not None  # noqa: S101
        try:
            page = self.adapter.parse(response.body, creq, ref)
        except CommentFormatError as exc:
            self._drop("comments", response.url, str(exc))
            return
        yield from self._comment_documents(page.comments, ref, doc_id)
        yield from self._follow(page.follow, doc_id, ref)

    def _comment_documents(
        self, comments: list[ParsedComment], ref: ArticleRef, doc_id: str
    ) -> Iterator[Comment]:
        assert self.pseudonymizer is not None  # noqa: S101 (from_crawler)
        now = datetime.now(UTC)
        opener = ref.extra.get("opener_id")
        for parsed in comments:
            if parsed.site_comment_id == opener:
                continue  # a thread's opening post is its article
            yield to_document(
                parsed, ref, source=self.source.domains[0], source_name=self.source.name,
                article_doc_id=doc_id, pseudonymizer=self.pseudonymizer,
                keep_author_names=self.keep_author_names, crawled_at=now,
            )  # fmt: skip

    def _follow(
        self, follow: list[CommentRequest], doc_id: str, ref: ArticleRef
    ) -> Iterator[scrapy.Request]:
        """Next pages and reply lists, up to the source's per-article page limit."""
        pages = self.comment_pages.get(doc_id, 1)
        for creq in follow:
            if pages >= self.source.limits.max_comment_pages:
                self._inc("skipped/comment_page_limit")
                break
            pages += 1
            yield self._comment_request(creq, doc_id, ref)
        self.comment_pages[doc_id] = pages

    # -- helpers ---------------------------------------------------------------------------

    def _decode(self, response: Response) -> str | None:
        declared = (
            getattr(response, "encoding", None) if response.headers.get("Content-Type") else None
        )
        try:
            return decode_page(response.body, declared=declared).text
        except EncodingError as exc:
            self._drop("encoding", response.url, str(exc))
            return None

    def _drop(self, stage: str, url: str, reason: str) -> None:
        """A permanent failure: named, counted and logged, never silent."""
        self._inc(f"dropped/{stage}")
        self.logger.warning("dropped %s (%s): %s", url, stage, reason)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"vnopinion/{key}", count)


def sources_by_key(keys: list[str] | None = None) -> list[Source]:
    """The configured sources, all or those named (unknown names are a clear error)."""
    sources = load_sources()
    if not keys:
        return list(sources.values())
    unknown = [k for k in keys if k not in sources]
    if unknown:
        raise KeyError(f"unknown site(s) {unknown}; known: {', '.join(sorted(sources))}")
    return [sources[k] for k in keys]
