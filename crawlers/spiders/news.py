"""One spider for every configured news site: entry points -> articles -> comment threads.

Everything site-specific comes from ``sources.yaml`` (entry points, URL patterns,
selectors, limits) and the named comment adapter. Articles already stored by an earlier run
are not fetched again; the comments of young articles are.

The monitor (``crawlers.monitor``) passes the comment threads to re-poll (``threads``) and
may skip the entry points (``entry_points=False``). It judges a source's health from the
stats counted here beside the pipeline's: ``vnopinion/listed`` (article links the entry
points gave), ``http_errors/<status>``, ``blocked``, ``network_errors``, ``parse_failures``,
``last_error`` and ``last_error_kind`` (the most telling error: blocked, http, parse, then
network; the latest of that kind) and, when ``threads`` are given, ``thread_comments/<doc_id>``
(comments read per thread, new articles' threads included).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.blocked import challenge_kind
from crawlers.comments.base import (
    ArticleRef,
    CommentAdapter,
    CommentFormatError,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.documents import to_document
from crawlers.comments.html import BlockedError
from crawlers.comments.registry import get_adapter
from crawlers.encoding import EncodingError, decode_page
from crawlers.extract.article import ExtractionError, article_links, extract_article
from crawlers.extract.errors import BLOCKED
from crawlers.items import FetchedArticle
from crawlers.monitor.model import ThreadPoll
from crawlers.pipeline import settings_from_crawler, state_path
from crawlers.pseudonym import Pseudonymizer, load_or_create_key
from crawlers.sources import Source, load_sources
from crawlers.state import CrawlState
from indexer.documents import Article, Comment, article_id

FEED_LINKS = "//item/link/text() | //*[local-name()='entry']/*[local-name()='link']/@href"
CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
SITEMAP_LOCS = "//*[local-name()='loc']/text()"
# When several errors happen in one crawl, ``last_error`` keeps the most telling kind.
ERROR_RANK = {"blocked": 4, "http": 3, "parse": 2, "network": 1}


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: Source,
        since: datetime | None = None,
        threads: list[ThreadPoll] | None = None,
        entry_points: bool = True,
        **kwargs: Any,
    ) -> None:
        """``threads``: re-poll exactly these (None: every young thread in the crawl state);
        ``entry_points=False``: read no feed or listing, only the threads."""
        super().__init__(name=f"news-{source.key}", **kwargs)
        self.source = source
        self.since = since
        self.threads = list(threads) if threads is not None else None
        self.read_entry_points = entry_points
        self.listed: set[str] = set()
        self.error_rank = 0
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
        threads = self._refresh_threads() if self.threads is None else self._given_threads()
        for request in threads:
            yield request
        if not self.read_entry_points:
            return
        callbacks = {"rss": self.parse_feed, "sitemap": self.parse_sitemap,
                     "section": self.parse_listing}  # fmt: skip
        for entry in self.source.entry_points:
            yield scrapy.Request(
                entry.url, callback=callbacks[entry.kind], errback=self.request_failed,
                dont_filter=True,
            )  # fmt: skip

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self._is_challenge(response):
            return
        for link in response.xpath(FEED_LINKS).getall():
            yield from self._article_request(response.urljoin(link.strip()))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if self._is_challenge(response):
            return
        is_index = bool(response.xpath("//*[local-name()='sitemapindex']"))
        for loc in response.xpath(SITEMAP_LOCS).getall():
            url = loc.strip()
            if is_index:
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.request_failed)
            else:
                yield from self._article_request(url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        html = self._decode(response)
        if html is None:
            return
        kind = challenge_kind(html)
        if kind is not None:
            self._blocked(kind, response.url)
            return
        for url in article_links(html, response.url, self.source):
            yield from self._article_request(url)

    def _article_request(self, url: str) -> Iterator[scrapy.Request]:
        if not self.source.is_article_url(url):
            return
        if url not in self.listed:
            self.listed.add(url)
            self._inc("listed")
        assert self.state is not None  # noqa: S101 (from_crawler)
        if self.state.is_stored(url):
            self._inc("skipped/already_stored")
            return
        if self.articles_requested >= self.source.limits.max_articles_per_run:
            self._inc("skipped/article_limit")
            return
        self.articles_requested += 1
        yield scrapy.Request(url, callback=self.parse_article, errback=self.request_failed)

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
            self._drop("extraction", response.url, str(exc), blocked=exc.reason == BLOCKED)
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
            blocked = isinstance(exc, BlockedError)
            self._drop("thread", response.url, str(exc), blocked=blocked)
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

    def _given_threads(self) -> Iterator[scrapy.Request]:
        """The threads the monitor chose (``threads``), and no other."""
        if self.adapter is None:
            if self.threads:
                self.logger.warning("%s has no comment adapter: threads not re-polled",
                                    self.source.key)  # fmt: skip
            return
        for thread in self.threads or []:
            self._inc("comments/threads_refreshed")
            yield from self._comment_requests(thread.doc_id, thread.ref)

    def _comment_requests(self, doc_id: str, ref: ArticleRef) -> Iterator[scrapy.Request]:
        assert self.adapter is not None  # noqa: S101
        for creq in self.adapter.first_requests(ref):
            yield self._comment_request(creq, doc_id, ref)

    def _comment_request(
        self, creq: CommentRequest, doc_id: str, ref: ArticleRef
    ) -> scrapy.Request:
        return scrapy.Request(
            creq.url, callback=self.parse_comments, errback=self.request_failed,
            dont_filter=True, cb_kwargs={"creq": creq, "doc_id": doc_id, "ref": ref},
        )  # fmt: skip

    def parse_comments(
        self, response: Response, creq: CommentRequest, doc_id: str, ref: ArticleRef
    ) -> Iterator[Comment | scrapy.Request]:
        assert self.adapter is not None  # noqa: S101
        try:
            page = self.adapter.parse(response.body, creq, ref)
        except CommentFormatError as exc:
            blocked = isinstance(exc, BlockedError)
            self._drop("comments", response.url, str(exc), blocked=blocked)
            return
        yield from self._comment_documents(page.comments, ref, doc_id)
        yield from self._follow(page.follow, doc_id, ref)

    def _comment_documents(
        self, comments: list[ParsedComment], ref: ArticleRef, doc_id: str
    ) -> Iterator[Comment]:
        assert self.pseudonymizer is not None  # noqa: S101 (from_crawler)
        now = datetime.now(UTC)
        opener = ref.extra.get("opener_id")
        # Per thread only when the threads are planned (the monitor): a full crawl's stats
        # (dumped to its log) stay as small as they were.
        per_thread = f"thread_comments/{doc_id}" if self.threads is not None else None
        if per_thread:
            self._inc(per_thread, 0)  # a thread read, even an empty one
        for parsed in comments:
            if parsed.site_comment_id == opener:
                continue  # a thread's opening post is its article
            if per_thread:
                self._inc(per_thread)
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

    def _drop(self, stage: str, url: str, reason: str, *, blocked: bool = False) -> None:
        """A permanent failure: named, counted and logged, never silent."""
        self._inc(f"dropped/{stage}")
        self.logger.warning("dropped %s (%s): %s", url, stage, reason)
        if blocked:
            self._blocked("bot challenge", url)
        else:
            self._inc("parse_failures")
            self._error("parse", f"{_STAGES.get(stage, stage)} failed on {url}: {reason}")

    def request_failed(self, failure: Failure) -> Failure:
        """Errback of every request: count why it failed, then let Scrapy go on as without
        one (it logs download errors and ignored HTTP responses as before)."""
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it
        url = request.meta.get("real_url", request.url)
        if failure.check(HttpError):
            response = failure.value.response
            kind = challenge_kind(response.body.decode("utf-8", errors="replace"))
            if kind is not None:
                self._blocked(kind, response.url, response.status)
            else:
                self._inc(f"http_errors/{response.status}")
                self._error("http", f"HTTP {response.status} on {response.url}")
        elif not failure.check(IgnoreRequest):  # robots.txt or offsite: our own choice
            self._inc("network_errors")
            error = failure.value
            self._error("network", f"{type(error).__name__} on {url}: {error}".strip())
        return failure

    def _is_challenge(self, response: Response) -> bool:
        kind = challenge_kind(response.body.decode("utf-8", errors="replace"))
        if kind is not None:
            self._blocked(kind, response.url)
        return kind is not None

    def _blocked(self, kind: str, url: str, status: int | None = None) -> None:
        self._inc("blocked")
        suffix = f" (HTTP {status})" if status is not None else ""
        self._error("blocked", f"{kind} on {url}{suffix}")

    def _error(self, kind: str, text: str) -> None:
        """Keep the most telling error of the crawl (the latest of its kind)."""
        rank = ERROR_RANK[kind]
        if rank < self.error_rank or self.crawler.stats is None:
            return
        self.error_rank = rank
        self.crawler.stats.set_value("vnopinion/last_error", text[:500])
        self.crawler.stats.set_value("vnopinion/last_error_kind", kind)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"vnopinion/{key}", count)


_STAGES = {"extraction": "article extraction", "thread": "forum thread parsing",
           "comments": "comment parsing", "encoding": "decoding"}  # fmt: skip


def sources_by_key(keys: list[str] | None = None) -> list[Source]:
    """The configured sources, all or those named (unknown names are a clear error)."""
    sources = load_sources()
    if not keys:
        return list(sources.values())
    unknown = [k for k in keys if k not in sources]
    if unknown:
        raise KeyError(f"unknown site(s) {unknown}; known: {', '.join(sorted(sources))}")
    return [sources[k] for k in keys]
