"""The document model: one typed definition of Article and Comment for every package.

Each field carries its Elasticsearch mapping (``EsField``), so the index template is
derived from this module and the schema exists once (../shared/DESIGN.md section 2).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = "1"


@dataclass(frozen=True, eq=False)  # identity hash: typing hashes Annotated metadata
class EsField:
    """How a model field is mapped in Elasticsearch."""

    mapping: dict[str, Any]


Keyword = Annotated[str, EsField({"type": "keyword"})]
Keywords = Annotated[list[str], EsField({"type": "keyword"})]
Text = Annotated[str, EsField({"type": "text", "analyzer": "standard"})]
TitleText = Annotated[
    str, EsField({"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 1024}}})
]
SegmentedText = Annotated[str, EsField({"type": "text", "analyzer": "vn_segmented"})]
Date = Annotated[datetime, EsField({"type": "date"})]
Count = Annotated[int, EsField({"type": "integer"})]
Score = Annotated[float, EsField({"type": "float"})]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Sentiment(_Model):
    label: Annotated[Literal["negative", "neutral", "positive"], EsField({"type": "keyword"})]
    score: Score


class Toxicity(_Model):
    label: Annotated[Literal["clean", "offensive", "hate"], EsField({"type": "keyword"})]
    score: Score


class Entities(_Model):
    per: Keywords = Field(default_factory=list)
    org: Keywords = Field(default_factory=list)
    loc: Keywords = Field(default_factory=list)


class Place(_Model):
    """A current (post-July-2025) administrative unit; ``as_written`` keeps the old name."""

    province: Keyword | None = None
    commune: Keyword | None = None
    as_written: Keyword | None = None


class Document(_Model):
    """Fields shared by articles and comments. Tags stay None until a model sets them."""

    id: Keyword
    kind: Keyword
    source: Keyword = Field(description="the site's domain, e.g. vnexpress.net")
    source_name: Keyword
    url: Keyword
    text: Text = ""
    text_seg: SegmentedText | None = None
    text_folded: Text | None = None
    published_at: Date | None = None
    crawled_at: Date
    likes: Count | None = None
    replies: Count | None = None
    sentiment: Sentiment | None = None
    toxicity: Toxicity | None = None
    category: Keyword | None = None
    watch_topics: Keywords | None = None
    watch_terms: Keywords | None = Field(
        None, description="which rule terms matched, as `topic:term` (why a topic was given)"
    )
    entities: Entities | None = None
    place: Place | None = None
    keywords: Keywords | None = None
    model_version: Keyword | None = None
    schema_version: Keyword = SCHEMA_VERSION

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        """Vietnamese text in NFC, once, whatever the page used."""
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value)
        if isinstance(value, list):
            return [unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("published_at", "crawled_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes must carry a time zone (site time is Asia/Ho_Chi_Minh)")
        return value.astimezone(UTC)

    def to_source(self) -> dict[str, Any]:
        """The ``_source`` to index: unset tags are left out so an upsert never erases them."""
        return self.model_dump(mode="json", exclude_none=True)


class Article(Document):
    kind: Annotated[Literal["article"], EsField({"type": "keyword"})] = "article"
    section: Keyword | None = None
    title: TitleText
    lead: Text | None = None
    author: Keyword | None = Field(None, description="the byline (a journalist, public)")
    tags: Keywords | None = None
    duplicate_of: Keyword | None = Field(
        None, description="id of an earlier near-identical article (a syndicated copy)"
    )


class Comment(Document):
    kind: Annotated[Literal["comment"], EsField({"type": "keyword"})] = "comment"
    parent_id: Keyword = Field(description="the article, or the comment this one replies to")
    thread_id: Keyword = Field(description="the article the thread belongs to")
    author_id: Keyword | None = Field(None, description="keyed pseudonym of the commenter")
    author_name: Keyword | None = Field(
        None, description="raw display name: only kept when settings.keep_author_names is on"
    )


AnyDocument = Article | Comment


def article_id(canonical_url: str) -> str:
    """Stable id of an article: sha1 of its canonical URL, so re-crawls overwrite."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


def comment_id(source: str, site_comment_id: str | int) -> str:
    """Stable id of a comment: ``<site>:<the site's own comment id>``."""
    return f"{source}:{site_comment_id}"
