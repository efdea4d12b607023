"""Spider for the sample site "Tin Dân Sinh" (vnopinion/demo_site): RSS -> article -> comments.

The page and the comment JSON are shaped like VnExpress's, so this spider doubles as the
first template for the real sites' spiders.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from w3lib.html import remove_tags, replace_entities

from crawlers.pipeline import settings_from_crawler
from crawlers.pseudonym import Pseudonymizer, load_or_create_key
from indexer.documents import Article, Comment, article_id, comment_id

COMMENT_PAGE_SIZE = 10


class TinDanSinhSpider(scrapy.Spider):
    name = "tindansinh"
    source_name = "Tin Dân Sinh (trang mẫu)"

    def __init__(self, feed_url: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed_url = feed_url
        self.pseudonymizer: Pseudonymizer | None = None
        self.keep_author_names = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TinDanSinhSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = settings_from_crawler(crawler)
        spider.pseudonymizer = Pseudonymizer(load_or_create_key(settings))
        spider.keep_author_names = settings.keep_author_names
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.feed_url, callback=self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        for link in response.xpath("//item/link/text()").getall():
            yield response.follow(link.strip(), callback=self.parse_article)

    def parse_article(self, response: Response) -> Iterator[Article | scrapy.Request]:
        assert isinstance(response, TextResponse)  # noqa: S101 (HTML pages only)
        canonical = response.css("link[rel=canonical]::attr(href)").get() or response.url
        source = urlsplit(canonical).hostname or urlsplit(response.url).hostname or ""
        json_ld = _json_ld(response)
        doc_id = article_id(canonical)
        box = response.css("#box_comment")
        total = int(box.attrib.get("data-total", "0") or 0)
        keywords = response.css("meta[name=keywords]::attr(content)").get("")
        paragraphs = response.css("article.fck_detail p.Normal::text").getall()
        yield Article(
            id=doc_id,
            source=source,
            source_name=self.source_name,
            url=canonical,
            title=_clean(response.css("h1.title-detail::text").get("")),
            lead=_clean(response.css("p.description::text").get("")) or None,
            text="\n\n".join(_clean(p) for p in paragraphs),
            published_at=datetime.fromisoformat(json_ld["datePublished"]),
            crawled_at=datetime.now(UTC),
            author=(json_ld.get("author") or {}).get("name"),
            section=response.css("meta[itemprop=articleSection]::attr(content)").get(),
            tags=[t.strip() for t in keywords.split(",") if t.strip()] or None,
            replies=total,
        )
        if box and total:
            context = {"api": response.urljoin(box.attrib["data-api"]),
                       "object_id": box.attrib["data-objectid"], "article_doc_id": doc_id,
                       "source": source, "url": canonical}  # fmt: skip
            yield self._comment_page(context, offset=0)

    def _comment_page(self, context: dict[str, str], offset: int) -> scrapy.Request:
        query = urlencode({"objectid": context["object_id"], "objecttype": 1,
                           "offset": offset, "limit": COMMENT_PAGE_SIZE})  # fmt: skip
        return scrapy.Request(
            f"{context['api']}?{query}", callback=self.parse_comments,
            cb_kwargs={"context": context, "offset": offset},
        )  # fmt: skip

    def parse_comments(
        self, response: Response, context: dict[str, str], offset: int
    ) -> Iterator[Comment | scrapy.Request]:
        data = json.loads(response.body)["data"]
        items = data["items"]
        for item in items:
            parent = self._comment(item, context, parent_id=context["article_doc_id"])
            yield parent
            for reply in item.get("replys", {}).get("items", []):
                yield self._comment(reply, context, parent_id=parent.id)
        next_offset = offset + len(items)
        if items and next_offset < int(data["total"]):
            yield self._comment_page(context, next_offset)

    def _comment(self, item: dict[str, Any], context: dict[str, str], parent_id: str) -> Comment:
        assert self.pseudonymizer is not None  # noqa: S101 (set in from_crawler)
        name = str(item.get("full_name") or "")
        return Comment(
            id=comment_id(context["source"], item["comment_id"]),
            source=context["source"],
            source_name=self.source_name,
            url=f"{context['url']}#comment-{item['comment_id']}",
            parent_id=parent_id,
            thread_id=context["article_doc_id"],
            text=_html_to_text(str(item.get("content") or "")),
            published_at=datetime.fromtimestamp(int(item["creation_time"]), UTC),
            crawled_at=datetime.now(UTC),
            likes=int(item.get("userlike") or 0),
            replies=int((item.get("replys") or {}).get("total") or 0),
            author_id=self.pseudonymizer.author_id(context["source"], name) if name else None,
            author_name=name if self.keep_author_names and name else None,
        )


def _json_ld(response: TextResponse) -> dict[str, Any]:
    for raw in response.css('script[type="application/ld+json"]::text').getall():
        data = json.loads(raw)
        if isinstance(data, dict) and "datePublished" in data:
            return data
    raise ValueError(f"no NewsArticle JSON-LD with datePublished in {response.url}")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _html_to_text(html: str) -> str:
    with_breaks = html.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n")
    lines = replace_entities(remove_tags(with_breaks)).split("\n")
    return "\n".join(_clean(line) for line in lines).strip()
