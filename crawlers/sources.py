"""Sites as configuration: ``sources.yaml`` describes every site we crawl.

A site without comments is added by configuration alone. Per-site CSS selectors override
the generic article extraction only where it is wrong; a comment adapter, named here,
is code (one small module per site in ``crawlers/comments``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SOURCES_FILE = Path(__file__).with_name("sources.yaml")


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArticleSelectors(_Config):
    """CSS selectors that override the generic extraction, field by field.

    Each may use parsel's ``::text`` / ``::attr(name)``. A selector that matches nothing
    leaves its field to the generic extraction (``crawlers/extract``).
    """

    title: str | None = None
    lead: str | None = None
    body: str | None = Field(
        None,
        description="the body's paragraphs, or elements holding them (read in page order; "
        "figures, captions, tables and asides are skipped)",
    )
    published_at: str | None = Field(None, description="an element or attribute holding the date")
    author: str | None = Field(None, description="every match is one author")
    section: str | None = None
    tags: str | None = Field(None, description="every match is one tag")
    remove: list[str] = Field(
        default_factory=list,
        description="removed from the body before its text is read (related-article boxes)",
    )


class EntryPoint(_Config):
    """Where a crawl starts: a feed, a sitemap or a listing ("section") page."""

    kind: Literal["rss", "sitemap", "section"]
    url: str = Field(pattern=r"^https?://[^/\s]+")


class Limits(_Config):
    max_articles_per_run: int = Field(500, ge=1)
    max_comment_pages: int = Field(50, ge=1, description="per article and run")
    comments_refresh_days: int = Field(7, ge=0, description="re-fetch comments while younger")
    download_delay_s: float | None = Field(None, ge=0, description="overrides the default")


class MonitorLimits(_Config):
    """How often ``vnopinion monitor`` visits a source (``vnopinion crawl`` ignores this)."""

    interval_minutes: float = Field(
        15, ge=0.05, description="between crawls of the entry points (0.05: benchmarks run fast)"
    )
    max_thread_interval_hours: float = Field(
        6, gt=0, description="the longest wait between re-polls of a comment thread gone quiet"
    )


class Source(_Config):
    key: str = Field(pattern=r"^[a-z0-9_]+$", description="short name used on the command line")
    name: str
    domains: list[str] = Field(
        min_length=1, description="lower-case host names; the first names the source"
    )
    entry_points: list[EntryPoint] = Field(min_length=1)
    article_url_patterns: list[str] = Field(
        min_length=1, description="regular expressions an article URL matches"
    )
    comments: str | None = Field(None, description="comment adapter name, if the site has one")
    kind: Literal["news", "forum"] = "news"
    selectors: ArticleSelectors = ArticleSelectors()
    limits: Limits = Limits()
    monitor: MonitorLimits = MonitorLimits()

    @field_validator("domains")
    @classmethod
    def _domains_are_hosts(cls, domains: list[str]) -> list[str]:
        bad = [d for d in domains if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d)]
        if bad:
            raise ValueError(f"not lower-case host names: {bad}")
        return domains

    @field_validator("article_url_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns

    @model_validator(mode="after")
    def _entry_points_on_domains(self) -> Source:
        strays = [e.url for e in self.entry_points if not self.is_on_domain(e.url)]
        if strays:
            raise ValueError(f"entry points outside {self.domains}: {strays}")
        return self

    def is_article_url(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.article_url_patterns)

    def is_on_domain(self, url: str) -> bool:
        """Whether ``url``'s host is one of the domains or a subdomain of one."""
        host = (urlsplit(url).hostname or "").casefold()
        return any(host == d or host.endswith(f".{d}") for d in self.domains)


class SourcesFile(_Config):
    sources: list[Source]


def load_sources(path: Path = SOURCES_FILE) -> dict[str, Source]:
    """All sources by key; a bad file fails here with pydantic's message naming the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parsed = SourcesFile.model_validate(data)
    keys = [s.key for s in parsed.sources]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"duplicate source keys in {path}: {sorted(duplicates)}")
    return {s.key: s for s in parsed.sources}
