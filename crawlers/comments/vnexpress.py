"""VnExpress comments: the usi-saas JSON API, top-level pages plus one reply list per thread.

``index/get`` returns top-level comments (``total`` counts them, ``totalitem`` adds the
replies) with at most a few replies inline; ``index/getreplay`` returns a parent's replies
but no total, so the parent's ``replys.total`` travels in the request state as the stop.
In the saved response a top-level item has ``parent_id == comment_id``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
from crawlers.comments.html import count, html_to_text, load_json

SITE = "VnExpress"
API = "https://usi-saas.vnexpress.net/index"
PAGE_SIZE = 24  # what the site's own widget asks for (data-component-input "limit")
REPLY_PAGE_SIZE = 24


class VnExpressAdapter:
    name = "vnexpress"

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        page = Selector(text=html, type="html")
        ids = _component_ids(page) or _meta_ids(page)
        if ids is None:
            return None
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        article_id = ids.pop("article_id")
        return ArticleRef(url=canonical, site_article_id=article_id, extra=ids)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [_page_request(ref, offset=0)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        data = _data(load_json(body, SITE))
        items = _list(data.get("items"), "data.items")
        offset = int(request.state.get("offset", 0))
        if request.purpose == "replies":
            return _reply_page(items, request, ref, offset)
        comments: list[ParsedComment] = []
        follow: list[CommentRequest] = []
        for item in items:
            top = _comment(item, parent=_top_parent(item))
            comments.append(top)
            replys = item.get("replys")
            inline = _list(replys.get("items") if isinstance(replys, dict) else None, "replys")
            comments.extend(_comment(reply, parent=top.site_comment_id) for reply in inline)
            if (top.reply_count or 0) > len(inline):
                # From offset 0: the inline few may be sorted otherwise; repeats overwrite.
                follow.append(_replies_request(ref, top.site_comment_id, top.reply_count or 0, 0))
        total = count(data.get("total"), SITE, "data.total")
        if items and offset + len(items) < total:
            follow.append(_page_request(ref, offset=offset + len(items)))
        return CommentPage(comments=comments, follow=follow)


def _reply_page(
    items: list[dict[str, Any]], request: CommentRequest, ref: ArticleRef, offset: int
) -> CommentPage:
    """One page of a thread's replies; the next while the parent's reply total is not reached."""
    parent = str(request.state["parent_id"])
    total = int(request.state["total"])
    replies = [_comment(item, parent=parent) for item in items]
    more = bool(items) and offset + len(items) < total
    follow = [_replies_request(ref, parent, total, offset + len(items))] if more else []
    return CommentPage(comments=replies, follow=follow)


def _component_ids(page: Selector) -> dict[str, str] | None:
    """Ids from the comment widget's ``data-component-input`` JSON."""
    for raw in page.css("[data-component-input]::attr(data-component-input)").getall():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("article_id") and data.get("site_id"):
            return {
                "article_id": str(data["article_id"]),
                "article_type": str(data.get("article_type") or 1),
                "site_id": str(data["site_id"]),
                "category_id": str(data.get("category_id") or ""),
            }
    return None


def _meta_ids(page: Selector) -> dict[str, str] | None:
    def meta(name: str) -> str:
        return (page.css(f"meta[name={name}]::attr(content)").get() or "").strip()

    if not (meta("tt_article_id") and meta("tt_site_id")):
        return None
    return {
        "article_id": meta("tt_article_id"),
        "article_type": "1",  # the meta tags do not carry it; 1 is an ordinary article
        "site_id": meta("tt_site_id"),
        "category_id": meta("tt_category_id"),
    }


def _page_request(ref: ArticleRef, offset: int) -> CommentRequest:
    query = urlencode(
        {
            "objectid": ref.site_article_id,
            "objecttype": ref.extra.get("article_type", "1"),
            "siteid": ref.extra.get("site_id", ""),
            "categoryid": ref.extra.get("category_id", ""),
            "offset": offset,
            "limit": PAGE_SIZE,
        }
    )
    return CommentRequest(url=f"{API}/get?{query}", purpose="page", state={"offset": offset})


def _replies_request(ref: ArticleRef, parent: str, total: int, offset: int) -> CommentRequest:
    query = urlencode(
        {
            "siteid": ref.extra.get("site_id", ""),
            "objectid": ref.site_article_id,
            "objecttype": ref.extra.get("article_type", "1"),
            "id": parent,
            "limit": REPLY_PAGE_SIZE,
            "offset": offset,
            "sort_by": "like",
        }
    )
    return CommentRequest(
        url=f"{API}/getreplay?{query}",
        purpose="replies",
        state={"parent_id": parent, "total": total, "offset": offset},
    )


def _data(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise CommentFormatError(f"{SITE}: comment response is not a JSON object")
    error = payload.get("error", 0)
    if error not in (0, "0", None):
        detail = payload.get("errorDescription") or ""
        raise CommentFormatError(f"{SITE}: comment API returned error {error!r} {detail}".strip())
    data = payload.get("data")
    if not isinstance(data, dict):
        raise CommentFormatError(f"{SITE}: comment response has no 'data' object")
    return data


def _list(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CommentFormatError(f"{SITE}: {what} is not a list of comment objects")
    return value


def _top_parent(item: dict[str, Any]) -> str | None:
    """None for a top-level item (no parent, or itself as parent, as the API sends them)."""
    parent = item.get("parent_id")
    if parent in (None, 0, "0", "") or str(parent) == str(item.get("comment_id")):
        return None
    return str(parent)


def _comment(item: dict[str, Any], parent: str | None) -> ParsedComment:
    if item.get("comment_id") in (None, ""):
        raise CommentFormatError(f"{SITE}: comment item without comment_id: {item!r:.200}")
    comment_id = str(item["comment_id"])
    try:
        created = datetime.fromtimestamp(int(item["creation_time"]), UTC)
    # OverflowError and OSError: a time past what the platform's time_t holds (or infinity).
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        message = f"{SITE}: comment {comment_id} has no usable creation_time"
        raise CommentFormatError(message) from exc
    replys = item.get("replys")
    return ParsedComment(
        site_comment_id=comment_id,
        parent_site_id=parent,
        text=html_to_text(str(item.get("content") or "")),
        created_at=created,
        likes=count(item.get("userlike"), SITE, "userlike"),
        author_name=str(item.get("full_name") or "").strip() or None,
        reply_count=count(replys.get("total"), SITE, "replys.total")
        if isinstance(replys, dict)
        else None,
    )
