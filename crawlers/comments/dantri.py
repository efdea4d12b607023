"""Dân Trí comments: ``webapi.dantri.com.vn/listcomment``, JSON, offset paging.

Unverified against the live endpoint: no response is saved anywhere we could read. The URL
and the fields ``items``, ``commentId``, ``parentId``, ``commentContent``,
``reactions.total`` and ``replyCount`` are what a public crawler reads; a comment's
replies come from the same endpoint with the comment's id as ``objectId`` and
``isReply=True``. The author (``userName``) and time (``createdDate``, ISO 8601, site time
when it has no offset) field names are our own guess, as is the whole shape of
tests/fixtures/comments/dantri-*.json. Any other shape fails loudly here.

The article id is the comment box's ``#comment[data-objectid]`` (seen on the saved 2026
article page) or the 17-digit number ending the URL. With no total known, pages are
followed while they come back full.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from parsel import Selector

from crawlers.comments.base import (
    ArticleRef,
    CommentFormatError,
    CommentPage,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.html import count, html_to_text, load_json, local_datetime

SITE = "Dân Trí"
API = "https://webapi.dantri.com.vn/listcomment"
PAGE_SIZE = 20
_URL_ID = re.compile(r"-(\d{17})\.htm")
_COMMENTS_OFF = re.compile(r"isCommentDisabled\s*=\s*true")


class DanTriAdapter:
    name = "dantri"

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        if _COMMENTS_OFF.search(html):
            return None
        page = Selector(text=html, type="html")
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        object_id = (page.css("#comment::attr(data-objectid)").get() or "").strip()
        if not object_id.isdigit():
            match = _URL_ID.search(canonical) or _URL_ID.search(url)
            if match is None:
                return None
            object_id = match.group(1)
        return ArticleRef(url=canonical, site_article_id=object_id)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [self._request(ref.site_article_id, offset=0)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        items = _items(load_json(body, SITE))
        parent = request.state.get("parent_id")
        comments = [_comment(item, None if parent is None else str(parent)) for item in items]
        follow: list[CommentRequest] = []
        if parent is None:
            follow = [
                self._request(c.site_comment_id, 0, c.site_comment_id)
                for c in comments
                if c.parent_site_id is None and c.reply_count
            ]
        if len(items) >= self.page_size:
            offset = int(request.state.get("offset", 0)) + len(items)
            object_id = ref.site_article_id if parent is None else str(parent)
            follow.append(self._request(object_id, offset, parent))
        return CommentPage(comments=comments, follow=follow)

    def _request(self, object_id: str, offset: int, parent: str | None = None) -> CommentRequest:
        params: dict[str, str | int] = {
            "objectId": object_id,
            "objectType": 1,
            "offset": offset,
            "limit": self.page_size,
            "orderBy": "popular",
        }
        if parent is None:
            return CommentRequest(f"{API}?{urlencode(params)}", "page", {"offset": offset})
        params["isReply"] = "True"
        state = {"offset": offset, "parent_id": parent}
        return CommentRequest(f"{API}?{urlencode(params)}", "replies", state)


def _items(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict):
        raise CommentFormatError(f"{SITE}: comment response is not a JSON object")
    items = payload.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CommentFormatError(f"{SITE}: comment response has no 'items' list of objects")
    return items


def _comment(item: dict[str, Any], parent: str | None) -> ParsedComment:
    if item.get("commentId") in (None, ""):
        raise CommentFormatError(f"{SITE}: comment item without commentId: {item!r:.200}")
    if parent is None and item.get("parentId") not in (None, 0, "0", ""):
        parent = str(item["parentId"])
    reactions = item.get("reactions") or {}
    if not isinstance(reactions, dict):
        raise CommentFormatError(f"{SITE}: reactions is not an object: {reactions!r:.100}")
    return ParsedComment(
        site_comment_id=str(item["commentId"]),
        parent_site_id=parent,
        text=html_to_text(str(item.get("commentContent") or "")),
        created_at=local_datetime(str(item.get("createdDate") or ""), SITE),
        likes=count(reactions.get("total"), SITE, "reactions.total"),
        author_name=str(item.get("userName") or "").strip() or None,
        reply_count=count(item.get("replyCount"), SITE, "replyCount"),
    )
