"""What a page says about itself: JSON-LD, OpenGraph and ``article:`` meta, canonical link.

This is the generic layer every site gets; per-site selectors override it field by field.
Vietnamese CMSs put HTML entities inside JSON-LD strings (sometimes escaped twice) and name
the publisher as the author: both are handled here, once.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawlers.extract.dates import parse_datetime
from crawlers.extract.text import clean, fold, strip_dateline, unescape
from crawlers.extract.urls import is_home_page, normalized_url

log = logging.getLogger(__name__)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WORD = re.compile(r"[a-z0-9]+")
_HOME_NAMES = {"trangchu", "home", "trangchinh"}
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:]\s+")
_PUBLISHED_KEYS = ("article:published_time", "datepublished", "pubdate", "publishdate",
                   "og:published_time", "dc.date.issued", "date")  # fmt: skip


@dataclass(frozen=True)
class PageMetadata:
    """The generic answer for each field; None or empty where the page says nothing."""

    canonical: str | None = None
    title: str | None = None
    lead: str | None = None
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    is_article: bool = False  # the page declares itself an article (JSON-LD or article: meta)


def read_metadata(root: HtmlElement, url: str, publishers: list[str]) -> PageMetadata:
    """The page's own metadata; ``publishers`` are names that are never an author."""
    objects = list(_json_ld(root))
    article = next((o for o in objects if _is_article(o)), {})
    meta = _meta(root)
    return PageMetadata(
        canonical=_canonical(root, url, meta, article),
        title=_title(root, meta, article),
        lead=_lead(meta, article),
        published_at=_published(meta, article),
        authors=_authors(meta, article, [*publishers, *_site_names(meta, objects)]),
        section=_section(meta, article, objects),
        tags=_tags(meta, article),
        is_article=bool(article) or "article:published_time" in meta,
    )


# -- sources ---------------------------------------------------------------------------------


def _json_ld(root: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").casefold():
            continue
        raw = (script.text or "").strip().removeprefix("<!--").removesuffix("-->")
        data = _loads(raw)
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack[:0] = graph
                yield item


def _loads(raw: str) -> Any:
    if not raw:
        return None
    for text in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            return json.loads(text, strict=False)
        except json.JSONDecodeError:
            continue
    # A broken block is the site's bug, not the page's end: the meta tags still speak.
    log.debug("unreadable JSON-LD block skipped: %.80s", raw)
    return None


def _meta(root: HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content is not None:
            found.setdefault(key.strip().casefold(), []).append(clean(unescape(content)))
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in meta.get(key, []):
            if value:
                return value
    return None


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind)]


def _is_article(obj: dict[str, Any]) -> bool:
    return any(t.endswith(("Article", "BlogPosting")) for t in _types(obj))


def _string(value: Any) -> str | None:
    """A JSON-LD value as clean text (entities decoded); None if it is not text."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id")
    if isinstance(value, (str, int, float)):
        return clean(unescape(str(value))) or None
    return None


# -- fields ----------------------------------------------------------------------------------


def _canonical(
    root: HtmlElement, url: str, meta: dict[str, list[str]], article: dict[str, Any]
) -> str | None:
    links = root.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
    )
    entity = article.get("mainEntityOfPage")
    candidates = [*links, _first(meta, "og:url"), _string(entity), _string(article.get("url"))]
    for candidate in candidates:
        if not candidate or not str(candidate).strip():
            continue
        absolute = normalized_url(urljoin(url, str(candidate).strip()))
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        # Some templates point every page's canonical at the front page: not this page.
        if is_home_page(absolute) and not is_home_page(url):
            continue
        return absolute
    return None


def _title(root: HtmlElement, meta: dict[str, list[str]], article: dict[str, Any]) -> str | None:
    heading = next(root.iter("h1"), None)
    title = (
        _string(article.get("headline"))
        or _first(meta, "og:title", "twitter:title")
        or (clean(heading.text_content()) if heading is not None else "")
        or _strip_site_name(clean(root.findtext(".//title")))
    )
    return title or None


def _strip_site_name(title: str) -> str:
    """``Headline - Báo VnExpress`` -> ``Headline`` (the longest part is the headline)."""
    parts = _TITLE_SEPARATORS.split(title)
    return max(parts, key=len) if len(parts) > 1 else title


def _lead(meta: dict[str, list[str]], article: dict[str, Any]) -> str | None:
    lead = _string(article.get("description")) or _first(
        meta, "og:description", "twitter:description", "description"
    )
    return (strip_dateline(lead) or None) if lead else None


def _published(meta: dict[str, list[str]], article: dict[str, Any]) -> datetime | None:
    found = parse_datetime(_string(article.get("datePublished")))
    if found is not None:
        return found
    for key in _PUBLISHED_KEYS:
        for value in meta.get(key, []):
            found = parse_datetime(value)
            if found is not None:
                return found
    return None


def _authors(
    meta: dict[str, list[str]], article: dict[str, Any], publishers: list[str]
) -> list[str]:
    people = article.get("author")
    people = people if isinstance(people, list) else [people]
    named = [
        _string(p)
        for p in people
        if not (isinstance(p, dict) and "Organization" in "".join(_types(p)))
    ]
    names = [n for n in named if n] or [*meta.get("article:author", []), *meta.get("author", [])]
    return person_names(names, publishers)


def person_names(names: Iterable[str | None], publishers: list[str]) -> list[str]:
    """Names that are people: no URLs, no publisher ("TUOI TRE ONLINE", "NLD.COM.VN")."""
    people: list[str] = []
    for name in names:
        name = clean(name)
        if not fold(name) or "://" in name or name.startswith("www."):
            continue
        if is_publisher(name, publishers) or fold(name) in {fold(p) for p in people}:
            continue
        people.append(name)
    return people


def is_publisher(name: str, publishers: list[str]) -> bool:
    """Whether a byline names the publication rather than a person.

    Long names compare as substrings ("baotuoitre" holds "tuoitre"); short ones ("nld",
    "vov") only as whole words, so that "Võ Văn ..." is not taken for VOV.
    """
    key, words = fold(name), set(_WORD.findall(_ascii(name)))
    for publisher in publishers:
        other = fold(publisher)
        if not other:
            continue
        if key == other or other in words:
            return True
        if (len(other) >= 6 and other in key) or (len(key) >= 6 and key in other):
            return True
    return False


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if c.isascii()).casefold()


def _site_names(meta: dict[str, list[str]], objects: list[dict[str, Any]]) -> list[str]:
    names = [*meta.get("og:site_name", []), *meta.get("application-name", [])]
    for obj in objects:
        if any("Organization" in t for t in _types(obj)):
            names.append(_string(obj.get("name")) or "")
        publisher = _string(obj.get("publisher")) if _is_article(obj) else None
        names.append(publisher or "")
    return [n for n in names if n and "://" not in n]


def _section(
    meta: dict[str, list[str]], article: dict[str, Any], objects: list[dict[str, Any]]
) -> str | None:
    """The site's top-level category: the breadcrumb's first step below the home page."""
    for obj in objects:
        if "BreadcrumbList" in _types(obj):
            name = _breadcrumb_top(obj)
            if name:
                return name
    declared = _first(meta, "article:section") or _string(_one(article.get("articleSection")))
    declared = declared or _first(meta, "articlesection")
    return (clean(declared.split(",")[0]) or None) if declared else None


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _breadcrumb_top(crumbs: dict[str, Any]) -> str | None:
    items = crumbs.get("itemListElement") or []
    flat: list[dict[str, Any]] = []
    stack = items if isinstance(items, list) else [items]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            flat.append(item)
    flat.sort(key=lambda i: int(i.get("position") or 0))
    for item in flat:
        target = item.get("item")
        name = _string(item.get("name")) or (_string(target) if isinstance(target, dict) else None)
        link = target.get("@id") if isinstance(target, dict) else target
        path = urlsplit(str(link or "")).path.strip("/")
        if name and fold(name) not in _HOME_NAMES and (path or not link):
            return name
    return None


def _tags(meta: dict[str, list[str]], article: dict[str, Any]) -> list[str]:
    for key in ("article:tag", "news_keywords", "keywords"):
        if meta.get(key):
            return _unique(t for value in meta[key] for t in value.split(","))
    keywords = article.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list):
        return _unique(_string(k) or "" for k in keywords)
    return []


def _unique(values: Iterator[str] | Any) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = clean(value).lstrip("#")
        if text:
            seen.setdefault(text.casefold(), text)
    return list(seen.values())
