"""Tuổi Trẻ comments: ``id.tuoitre.vn/api/getlist-comment.api``, JSON inside JSON.

The response is ``{"Success": ..., "Data": "<JSON string>"}``: ``Data`` decodes to the
list of top-level comments, each with its replies inline (``child_comments``) and their
number (``child_count``). No reply endpoint is known, so replies beyond the inline ones
are counted (``reply_count``) but not fetched. No total either: the next page is asked for
while a page comes back full.

Field choices (no saved live response; our fixture follows public crawlers' reads):
time is ``created_date`` (``published_date`` as a fallback), site time without offset;
likes is the item's ``likes`` field, or the sum of its ``reactions`` counts (reaction id →
count) when that field is absent. The site's JavaScript sends an ``appKey`` that the
endpoint may come to require; it is not sent here.
"""

from __future__ import annotations

import json
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

SITE = "Tuổi Trẻ"
API = "https://id.tuoitre.vn/api/getlist-comment.api"
PAGE_SIZE = 20
SORT = 2  # what public crawlers send (1 also seen); which order each means is unverified
_URL_ID = re.compile(r"-(\d{17,18})\.htm")


class TuoiTreAdapter:
    name = "tuoitre"

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        page = Selector(text=html, type="html")
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        match = _URL_ID.search(canonical) or _URL_ID.search(url)
        news_id = match.group(1) if match else page.css("[data-newsid]::attr(data-newsid)").get()
        if not news_id or not news_id.isdigit():
            return None
        return ArticleRef(url=canonical, site_article_id=news_id)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [self._request(ref, page=1)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        items = _items(load_json(body, SITE))
        comments: list[ParsedComment] = []
        for item in items:
            top = _comment(item, parent=None)
            comments.append(top)
            children = _list(item.get("child_comments"), "child_comments")
            comments.extend(_comment(child, parent=top.site_comment_id) for child in children)
        page = int(request.state.get("page", 1))
        full = len(items) >= self.page_size
        return CommentPage(comments=comments, follow=[self._request(ref, page + 1)] if full else [])

    def _request(self, ref: ArticleRef, page: int) -> CommentRequest:
        query = urlencode(
            {
                "pageindex": page,
                "pagesize": self.page_size,
                "objId": ref.site_article_id,
                "objType": 1,
                "sort": SORT,
            }
        )
        return CommentRequest(url=f"{API}?{query}", purpose="page", state={"page": page})


def _items(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or "Data" not in payload:
        raise CommentFormatError(f"{SITE}: comment response is not an object with 'Data'")
    if payload.get("Success") is False:
        raise CommentFormatError(f"{SITE}: comment API reported a failure: {payload!r:.200}")
    data = payload["Data"]
    if isinstance(data, str):
        try:
            data = json.loads(data) if data.strip() else None
        except (ValueError, RecursionError) as exc:  # as load_json: huge numbers, deep nests
            raise CommentFormatError(f"{SITE}: 'Data' is not a JSON string ({exc})") from exc
    return _list(data, "Data")


def _list(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CommentFormatError(f"{SITE}: {what} is not a list of comment objects")
    return value


def _comment(item: dict[str, Any], parent: str | None) -> ParsedComment:
    if item.get("id") in (None, ""):
        raise CommentFormatError(f"{SITE}: comment item without id: {item!r:.200}")
    when = item.get("created_date") or item.get("published_date")
    if not when:
        raise CommentFormatError(f"{SITE}: comment {item['id']} has no created_date")
    children = item.get("child_count")
    return ParsedComment(
        site_comment_id=str(item["id"]),
        parent_site_id=parent,
        text=html_to_text(str(item.get("content") or "")),
        created_at=local_datetime(str(when), SITE),
        likes=_likes(item),
        author_name=str(item.get("sender_fullname") or "").strip() or None,
        reply_count=None if children is None else count(children, SITE, "child_count"),
    )


def _likes(item: dict[str, Any]) -> int:
    if item.get("likes") is not None:
        return count(item["likes"], SITE, "likes")
    reactions = item.get("reactions") or {}
    if not isinstance(reactions, dict):
        raise CommentFormatError(f"{SITE}: reactions is not an object: {reactions!r:.100}")
    return sum(count(n, SITE, "a reaction count") for n in reactions.values())
