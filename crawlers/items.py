"""What spiders yield besides plain documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawlers.comments.base import ArticleRef
from indexer.documents import Article


@dataclass(frozen=True)
class FetchedArticle:
    """An article plus what the crawl state records once it is stored.

    ``urls`` are every URL the article was reached by (listing link, canonical URL), so a
    later run recognises it from either.
    """

    document: Article
    source_key: str
    urls: list[str] = field(default_factory=list)
    comment_ref: ArticleRef | None = None
