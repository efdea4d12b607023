"""Tin Dân Sinh comments: the sample site's ``/api/comments`` (vnopinion/demo_site), JSON,
offset paging, each top-level comment with its replies inline (VnExpress's shape).

The site is ours, so the shape is known exactly (vnopinion/demo_site/render.py): ``data``
holds ``total`` (top-level comments), ``offset`` and ``items``; an item has ``comment_id``,
``content`` (HTML), ``full_name``, ``creation_time`` (Unix seconds), ``userlike`` and
``replys: {total, items}``. The article page's ``#box_comment`` carries the article id and
the endpoint (``data-api``, absolute when the site is served live, relative otherwise). A
page with a comment box has a thread even with no comment yet: comments arrive later, and
the monitor re-polls the thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urljoin

from parsel import Selector

from crawlers.comments.base import (
    ArticleRef,
    CommentFormatError,
    CommentPage,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.html import count, html_to_text, load_json

SITE = "Tin Dân Sinh"
PAGE_SIZE = 20  # the site serves at most 25 per page


class TinDanSinhAdapter:
    name = "tindansinh"

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        page = Selector(text=html, type="html")
        box = page.css("#box_comment")
        object_id = (box.attrib.get("data-objectid") or "").strip() if box else ""
        if not object_id.isdigit():
            return None
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        api = urljoin(url, box.attrib.get("data-api") or "/api/comments")
        return ArticleRef(url=canonical, site_article_id=object_id, extra={"api": api})

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [self._request(ref, offset=0)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        data = _data(load_json(body, SITE))
        items = data["items"]
        comments: list[ParsedComment] = []
        for item in items:
            parent = _comment(item, None)
            comments.append(parent)
            comments.extend(_comment(r, parent.site_comment_id) for r in _replies(item))
        follow: list[CommentRequest] = []
        offset = int(request.state.get("offset", 0)) + len(items)
        if items and offset < count(data.get("total"), SITE, "data.total"):
            follow.append(self._request(ref, offset))
        return CommentPage(comments=comments, follow=follow)

    def _request(self, ref: ArticleRef, offset: int) -> CommentRequest:
        query = urlencode({"objectid": ref.site_article_id, "objecttype": 1,
                           "offset": offset, "limit": self.page_size})  # fmt: skip
        api = ref.extra.get("api") or urljoin(ref.url, "/api/comments")
        return CommentRequest(f"{api}?{query}", "page", {"offset": offset})


def _data(payload: Any) -> dict[str, Any]:
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CommentFormatError(f"{SITE}: comment response has no data.items list")
    if not all(isinstance(i, dict) for i in data["items"]):
        raise CommentFormatError(f"{SITE}: data.items holds something other than objects")
    return data


def _replies(item: dict[str, Any]) -> list[dict[str, Any]]:
    box = item.get("replys") or {}
    if not isinstance(box, dict):
        raise CommentFormatError(f"{SITE}: replys is not an object: {box!r:.100}")
    replies = box.get("items") or []
    if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
        raise CommentFormatError(f"{SITE}: replys.items is not a list of objects")
    return replies


def _comment(item: dict[str, Any], parent: str | None) -> ParsedComment:
    if item.get("comment_id") in (None, ""):
        raise CommentFormatError(f"{SITE}: comment item without comment_id: {item!r:.200}")
    try:
        created = datetime.fromtimestamp(int(item["creation_time"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise CommentFormatError(f"{SITE}: bad creation_time in {item!r:.200}") from exc
    replies = item.get("replys")
    return ParsedComment(
        site_comment_id=str(item["comment_id"]),
        parent_site_id=parent,
        text=html_to_text(str(item.get("content") or "")),
        created_at=created,
        likes=count(item.get("userlike") or 0, SITE, "userlike"),
        author_name=str(item.get("full_name") or "").strip() or None,
        reply_count=count(replies.get("total"), SITE, "replys.total")
        if isinstance(replies, dict)
        else None,
    )
