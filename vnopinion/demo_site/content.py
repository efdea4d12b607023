"""Load and validate the sample site's articles and comments (content/*.yaml)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CONTENT_DIR = Path(__file__).parent / "content"
SITE_DOMAIN = "tindansinh.demo"
SITE_NAME = "Tin Dân Sinh (trang mẫu)"


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
    articles: list[SampleArticle]

    def article(self, article_id: int) -> SampleArticle | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def by_path(self, path: str) -> SampleArticle | None:
        return next((a for a in self.articles if a.path == path), None)


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
