"""Thanh Niên comments: an HTML fragment per page, replies inline under each comment.

The fragment comes from the CNND comment service that Thanh Niên shares with other
papers. The host and path below (``eth2.cnnd.vn/api/ajax/ListComment.htm`` with
``SiteName=thanhnien``) are taken from a public crawler that reported using them in
August 2026; the saved fragment does not record its URL, so they are an assumption that
only the parameters (``page``, ``NewsID``, ``Order``, ``pageSize``, ``iObjectType``) back.
There is no reply endpoint to follow: what the fragment inlines is what we get, and a
comment's "Trả lời N" gives its full reply count. A reply names its parent's author in a
leading ``b.username-reply``; that mention is dropped, the parent link already says it.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from parsel import Selector, SelectorList

from crawlers.comments.base import (
    ArticleRef,
    CommentFormatError,
    CommentPage,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.html import count, element_text, local_datetime, raise_if_blocked

SITE = "Thanh Niên"
API = "https://eth2.cnnd.vn/api/ajax/ListComment.htm"
PAGE_SIZE = 20
TIME_FORMAT = "%m/%d/%Y %H:%M:%S"  # span.time-ago@title, site time
_URL_ID = re.compile(r"-(\d{15,19})\.htm")


def _cls(name: str) -> str:
    """XPath test for one class among several."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


class ThanhNienAdapter:
    name = "thanhnien"

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        page = Selector(text=html, type="html")
        canonical = page.css("link[rel=canonical]::attr(href)").get() or url
        news_id = (page.css("input#hdNewsId::attr(value)").get() or "").strip()
        if not news_id.isdigit():
            match = _URL_ID.search(canonical)
            if match is None:
                return None
            news_id = match.group(1)
        return ArticleRef(url=canonical, site_article_id=news_id)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [_request(ref, page=1)]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        raise_if_blocked(body, SITE)
        text = body.decode("utf-8", errors="replace")
        if not text.strip():
            return CommentPage(comments=[], follow=[])  # no comments, or past the last page
        fragment = Selector(text=text, type="html")
        items = fragment.xpath(f"//div[{_cls('item')} and {_cls('box_cm')} and @data-cmid]")
        if not items:
            if not "".join(fragment.xpath("//body//text()").getall()).strip():
                return CommentPage(comments=[], follow=[])
            raise CommentFormatError(f"{SITE}: no div.item.box_cm[data-cmid] in the fragment")
        comments: list[ParsedComment] = []
        for item in items:
            top = _comment(item, str(item.attrib["data-cmid"]), parent=None)
            comments.append(top)
            for reply in item.xpath(f".//div[{_cls('item-reply')}]"):
                reply_id = _first(reply, f".//*[{_cls('like-action')}]/@data-cmid", "reply id")
                comments.append(_comment(reply, reply_id, parent=top.site_comment_id))
        page = int(request.state.get("page", 1))
        follow = [_request(ref, page + 1)] if len(items) >= PAGE_SIZE else []
        return CommentPage(comments=comments, follow=follow)


def _request(ref: ArticleRef, page: int) -> CommentRequest:
    query = urlencode(
        {
            "page": page,
            "NewsID": ref.site_article_id,
            "Order": "like",
            "pageSize": PAGE_SIZE,
            "iObjectType": 1,
            "SiteName": "thanhnien",
        }
    )
    return CommentRequest(url=f"{API}?{query}", purpose="page", state={"page": page})


def _first(node: Selector | SelectorList[Selector], xpath: str, what: str) -> str:
    value = node.xpath(xpath).get()
    if value is None or not value.strip():
        raise CommentFormatError(f"{SITE}: comment without {what} ({xpath})")
    return value.strip()


def _comment(node: Selector, comment_id: str, parent: str | None) -> ParsedComment:
    """One comment from its own ``item-content`` (never a nested reply's)."""
    content = node.xpath(f"./div[{_cls('item-content')}]")
    bottom = content.xpath(f"./div[{_cls('item-bottom')}]")
    text_node = content.xpath(f"./p[{_cls('text-comment')}]")
    if not text_node:
        raise CommentFormatError(f"{SITE}: comment {comment_id} has no p.text-comment")
    text_node.xpath(f".//b[{_cls('username-reply')}]").drop()
    when = _first(bottom, f"./span[{_cls('time-ago')}]/@title", "span.time-ago@title")
    author = node.xpath(f"./a[{_cls('avatar')}]/@title").get() or _text(
        content.xpath(f"./a[{_cls('user-name')}]")
    )
    return ParsedComment(
        site_comment_id=comment_id,
        parent_site_id=parent,
        text=element_text(text_node[0].root),
        created_at=local_datetime(when, SITE, TIME_FORMAT),
        likes=count(_text(bottom.xpath(f".//span[{_cls('total-like')}]")), SITE, "total-like"),
        author_name=author.strip() or None,
        reply_count=None if parent else _reply_count(bottom),
    )


def _reply_count(bottom: SelectorList[Selector]) -> int:
    """From the "Trả lời N" link of a top-level comment; 0 when the link has no number."""
    label = _text(bottom.xpath(f"./a[{_cls('rep')}]"))
    digits = re.search(r"\d+", label)
    return int(digits.group()) if digits else 0


def _text(nodes: SelectorList[Selector]) -> str:
    return " ".join("".join(nodes[:1].xpath(".//text()").getall()).split())
