"""VietNamNet comments: ``comment.vietnamnet.vn/api/Comment/Gets``, JSON, paged by index.

The same endpoint lists a comment's replies when given ``ParentId``. ``totalComment``
counts replies too, so top-level pages are followed until one comes back empty; a reply
list stops at its parent's ``totalAnswer`` (carried in the request state) or an empty page.
``createdDate`` is site time without an offset: the saved response's ``serverTime`` runs
seven hours ahead of its ``serverTimeUtc``, so it is read as UTC+7.
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

SITE = "VietNamNet"
API = "https://comment.vietnamnet.vn/api/Comment/Gets"
WEBSITE_ID = "000003"  # vietnamnet.vn on the shared comment service
PAGE_SIZE = 20
_URL_ID = re.compile(r"-(\d+)\.html?(?:[?#].*)?$")


class VietNamNetAdapter:
    name = "vietnamnet"

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        page = Selector(text=html, type="html")
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        holder = page.css("[data-objectid][data-websiteid]")
        if holder:
            object_id = holder[0].attrib["data-objectid"].strip()
            website_id = holder[0].attrib["data-websiteid"].strip()
        else:
            # Pages without the comment widget's attributes: the id ends the article URL.
            match = _URL_ID.search(canonical)
            if match is None:
                return None
            object_id, website_id = match.group(1), WEBSITE_ID
        if not object_id.isdigit():
            return None
        extra = {"website_id": website_id}
        return ArticleRef(url=canonical, site_article_id=object_id, extra=extra)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [_request(ref, page=0)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        items = _comments(load_json(body, SITE))
        page = int(request.state.get("page", 0))
        parent = request.state.get("parent_id")
        comments: list[ParsedComment] = []
        follow: list[CommentRequest] = []
        for item in items:
            comment = _comment(item, parent=None if parent is None else str(parent))
            comments.append(comment)
            nested = item.get("comments")
            if isinstance(nested, list):  # null in every saved response; read if ever sent
                comments.extend(_comment(n, parent=comment.site_comment_id) for n in nested)
            if parent is None and comment.reply_count:
                follow.append(_request(ref, 0, comment.site_comment_id, comment.reply_count))
        if parent is None:
            if items:
                follow.append(_request(ref, page=page + 1))
        else:
            seen = int(request.state.get("seen", 0)) + len(items)
            if items and seen < int(request.state["total"]):
                follow.append(_request(ref, page + 1, str(parent), request.state["total"], seen))
        return CommentPage(comments=comments, follow=follow)


def _request(
    ref: ArticleRef, page: int, parent: str | None = None, total: int = 0, seen: int = 0
) -> CommentRequest:
    params: dict[str, str | int] = {
        "ObjectId": ref.site_article_id,
        "WebsiteId": ref.extra.get("website_id", WEBSITE_ID),
        "PageIndex": page,
        "PageSize": PAGE_SIZE,
    }
    if parent is None:
        return CommentRequest(f"{API}?{urlencode(params)}", "page", {"page": page})
    params["ParentId"] = parent
    state = {"page": page, "parent_id": parent, "total": total, "seen": seen}
    return CommentRequest(f"{API}?{urlencode(params)}", "replies", state)


def _comments(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict):
        raise CommentFormatError(f"{SITE}: comment response is not a JSON object")
    if payload.get("status") is not True:
        detail = payload.get("messages") or payload.get("errorCode")
        raise CommentFormatError(f"{SITE}: comment API reported a failure: {detail!r}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise CommentFormatError(f"{SITE}: comment response has no 'data' object")
    items = data.get("comments")
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CommentFormatError(f"{SITE}: data.comments is not a list of comment objects")
    return items


def _comment(item: dict[str, Any], parent: str | None) -> ParsedComment:
    if not item.get("commentId"):
        raise CommentFormatError(f"{SITE}: comment item without commentId: {item!r:.200}")
    if parent is None and item.get("parentId"):
        parent = str(item["parentId"])
    return ParsedComment(
        site_comment_id=str(item["commentId"]),
        parent_site_id=parent,
        text=html_to_text(str(item.get("commentContent") or "")),
        created_at=local_datetime(str(item.get("createdDate") or ""), SITE),
        likes=count(item.get("totalLike"), SITE, "totalLike"),
        author_name=str(item.get("userName") or "").strip() or None,
        reply_count=count(item.get("totalAnswer"), SITE, "totalAnswer"),
    )
