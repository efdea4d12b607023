"""What every comment adapter gives and takes. Adapters are plain functions over bytes:
no Scrapy, no network, so each is tested on a saved response.

A crawl asks the adapter for the article's comment reference (ids read from the article
page), then for the first requests; each response parses into comments plus the requests
to follow (next pages, reply lists). ``to_document`` turns a parsed comment into the shared
``Comment`` document, pseudonymising the author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class CommentFormatError(ValueError):
    """A comment response is not what the adapter expects (endpoint changed?): fail loudly."""


@dataclass(frozen=True)
class ArticleRef:
    """What an adapter needs to fetch an article's comments."""

    url: str  # canonical URL of the article
    site_article_id: str
    extra: dict[str, str] = field(default_factory=dict)  # e.g. object type, site id


@dataclass(frozen=True)
class CommentRequest:
    url: str
    purpose: str  # "page" or "replies"
    state: dict[str, Any] = field(default_factory=dict)  # adapter's own context (offset, parent)


@dataclass(frozen=True)
class ParsedComment:
    site_comment_id: str
    parent_site_id: str | None  # None: a top-level comment under the article
    text: str  # HTML stripped, NFC
    created_at: datetime  # time-zone aware
    likes: int
    author_name: str | None
    reply_count: int | None = None


@dataclass(frozen=True)
class CommentPage:
    comments: list[ParsedComment]
    follow: list[CommentRequest]


class CommentAdapter(Protocol):
    name: str

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        """The ids the endpoint needs, read from the article page; None if it has none."""

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        """The first page(s) of the article's comments."""

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        """Comments in one response and the requests to follow; CommentFormatError if odd."""
