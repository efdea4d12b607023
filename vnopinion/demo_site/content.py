"""Load and validate the sample site's articles and comments (content/*.yaml); publish new
ones while it is served (the monitor's tests and benchmark watch it as a live source)."""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

CONTENT_DIR = Path(__file__).parent / "content"
SITE_DOMAIN = "tindansinh.demo"
SITE_NAME = "Tin Dân Sinh (trang mẫu)"
SITE_TZ = timezone(timedelta(hours=7))  # the site's own clock: Vietnam time
DEFAULT_AUTHOR = "Phóng viên Tin Dân Sinh"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleReply(_Strict):
    id: int
    author: str
    created_at: datetime
    likes: int = Field(ge=0)
    text: str


class SampleComment(SampleReply):
    replies: list[SampleReply] = Field(default_factory=list)

    @model_validator(mode="after")
    def _replies_follow(self) -> SampleComment:
        for reply in self.replies:
            if reply.created_at <= self.created_at:
                raise ValueError(f"reply {reply.id} is dated before comment {self.id}")
        return self


class SampleArticle(_Strict):
    id: int = Field(ge=1_000_000, le=9_999_999)
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    section: str
    section_name: str
    title: str
    lead: str
    author: str
    published_at: datetime
    tags: list[str]
    body: list[str] = Field(min_length=1)
    comments: list[SampleComment] = Field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.slug}-{self.id}.html"

    @property
    def comment_count(self) -> int:
        return sum(1 + len(c.replies) for c in self.comments)


class SampleSite(_Strict):
    """The articles, newest first. ``publish_*`` change them in place under ``lock``; whoever
    renders while the site is served holds ``lock`` too (vnopinion/demo_site/server.py)."""

    articles: list[SampleArticle]
    _lock: Any = PrivateAttr(default_factory=threading.RLock)

    @property
    def lock(self) -> Any:
        return self._lock

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> SampleSite:
        """A copy with its own lock (a lock cannot be copied)."""
        return SampleSite(articles=copy.deepcopy(self.articles, memo))

    def article(self, article_id: int) -> SampleArticle | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def by_path(self, path: str) -> SampleArticle | None:
        return next((a for a in self.articles if a.path == path), None)

    def publish_article(
        self,
        title: str,
        lead: str,
        body: list[str] | str,
        published_at: datetime | None = None,
        *,
        section: str = "thoi-su",
        section_name: str = "Thời sự",
        author: str = DEFAULT_AUTHOR,
        tags: list[str] | None = None,
    ) -> SampleArticle:
        """A new article, at once in the home page and the feed (newest first)."""
        paragraphs = body if isinstance(body, list) else [p for p in body.split("\n\n") if p]
        with self._lock:
            article = SampleArticle(
                id=max((a.id for a in self.articles), default=4_900_000) + 1,
                slug=slugify(title), section=section, section_name=section_name,
                title=title, lead=lead, author=author,
                published_at=_aware(published_at), tags=tags or [], body=paragraphs,
            )  # fmt: skip
            self.articles.append(article)
            self.articles.sort(key=lambda a: a.published_at, reverse=True)
        return article

    def publish_comment(
        self,
        article: int | str | SampleArticle,
        text: str,
        author: str,
        created_at: datetime | None = None,
        *,
        reply_to: int | None = None,
        likes: int = 0,
    ) -> SampleReply:
        """A new comment (or a reply to comment ``reply_to``) under ``article`` (its id, path or
        itself), at once in the comment API."""
        with self._lock:
            target = self._find(article)
            fields = {"id": self._next_comment_id(), "author": author,
                      "created_at": _aware(created_at), "likes": likes, "text": text}  # fmt: skip
            if reply_to is None:
                comment = SampleComment(**fields)
                target.comments.append(comment)
                return comment
            parent = next((c for c in target.comments if c.id == reply_to), None)
            if parent is None:
                raise KeyError(f"no comment {reply_to} under article {target.id}")
            reply = SampleReply(**fields)
            if reply.created_at <= parent.created_at:
                raise ValueError(f"a reply must come after comment {reply_to}")
            parent.replies.append(reply)
            return reply

    def _find(self, article: int | str | SampleArticle) -> SampleArticle:
        if isinstance(article, SampleArticle):
            article = article.id
        found = self.article(article) if isinstance(article, int) else self.by_path(article)
        if found is None:
            raise KeyError(f"no sample article {article!r}")
        return found

    def _next_comment_id(self) -> int:
        ids = [x.id for a in self.articles for c in a.comments for x in (c, *c.replies)]
        return max(ids, default=7_900_000) + 1


def slugify(title: str) -> str:
    """The URL slug of a Vietnamese title: no diacritics, đ as d, words joined by hyphens."""
    folded = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_only)[:10]
    return "-".join(words) or "bai-viet"


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(SITE_TZ).replace(microsecond=0)
    if moment.tzinfo is None:
        raise ValueError("a publication time must carry a time zone")
    return moment


def load_site(content_dir: Path = CONTENT_DIR) -> SampleSite:
    """All ``*.yaml`` files in ``content_dir``, newest article first; ids must be unique."""
    articles: list[SampleArticle] = []
    for path in sorted(content_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        articles.extend(SampleArticle.model_validate(a) for a in data["articles"])
    ids = [a.id for a in articles] + [
        x.id for a in articles for c in a.comments for x in (c, *c.replies)
    ]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate article or comment ids in {content_dir}")
    articles.sort(key=lambda a: a.published_at, reverse=True)
    return SampleSite(articles=articles)
