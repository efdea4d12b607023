"""voz.vn threads (XenForo 2): every post on every page, read as a top-level comment.

A thread page is its own comment response: the reference is the thread id in the URL
(``/t/<slug>.<id>/``), the first request is the thread itself and each page points to the
next (``a.pageNav-jump--next``). Quoted blocks are removed from a post's text, so a reply
keeps only its own words. voz.vn serves Cloudflare challenges to non-browser clients:
such a page raises ``BlockedError``, it is never parsed as posts.

Likes are the post's reactions: the names the reactions bar shows plus its
"and N others" (XenForo's own wording; the Vietnamese "và N người khác" too).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawlers.comments.base import (
    ArticleRef,
    CommentFormatError,
    CommentPage,
    CommentRequest,
    ParsedComment,
)
from crawlers.comments.html import (
    BlockedError,
    element_text,
    local_datetime,
    raise_if_blocked,
)

__all__ = ["BlockedError", "VozAdapter"]

SITE = "voz.vn"
_THREAD_URL = re.compile(r"^(https?://[^/]+)/(t|threads)/(?:([^/]*?)\.)?(\d+)(?:/|$)")
_POST_ID = re.compile(r"(?:js-)?post-(\d+)$")
_OTHERS = re.compile(r"(\d[\d.,]*)\s+(?:others?|người khác)", re.IGNORECASE)


class VozAdapter:
    name = "voz"

    def article_ref(self, html: str, url: str) -> ArticleRef | None:
        """The thread id from ``url``; the thread title when ``html`` holds the page."""
        raise_if_blocked(html, SITE)
        match = _THREAD_URL.match(url)
        if match is None:
            return None
        host, kind, slug, thread_id = match.groups()
        thread_url = f"{host}/{kind}/{slug}.{thread_id}/" if slug else f"{host}/{kind}/{thread_id}/"
        extra: dict[str, str] = {}
        title = Selector(text=html, type="html").css("h1.p-title-value")
        if title:
            title.css(".label, .label-append").drop()  # prefix labels such as "thảo luận"
            extra["title"] = element_text(title[0].root)
        return ArticleRef(url=thread_url, site_article_id=thread_id, extra=extra)

    def first_requests(self, ref: ArticleRef) -> list[CommentRequest]:
        return [CommentRequest(url=ref.url, purpose="page", state={"page": 1})]

    def parse(self, body: bytes, request: CommentRequest, ref: ArticleRef) -> CommentPage:
        raise_if_blocked(body, SITE)
        page = Selector(text=body.decode("utf-8", errors="replace"), type="html")
        posts = page.css("article.js-post, article.message--post")
        if not posts:
            raise CommentFormatError(f"{SITE}: no posts (article.js-post) on {request.url}")
        comments = [_post(post) for post in posts]
        follow: list[CommentRequest] = []
        next_href = (
            page.css("a.pageNav-jump--next::attr(href)").get()
            or page.css("link[rel=next]::attr(href)").get()
        )
        if next_href:
            number = int(request.state.get("page", 1)) + 1
            follow.append(CommentRequest(urljoin(request.url, next_href), "page", {"page": number}))
        return CommentPage(comments=comments, follow=follow)


def _post(post: Selector) -> ParsedComment:
    marker = post.attrib.get("data-content") or post.attrib.get("id") or ""
    post_id = _POST_ID.search(marker)
    if post_id is None:
        raise CommentFormatError(f"{SITE}: post without data-content='post-N' or id='js-post-N'")
    when = (
        post.css(".message-attribution-main time::attr(datetime)").get()
        or post.css("time[datetime]::attr(datetime)").get()
    )
    if not when:
        raise CommentFormatError(f"{SITE}: post {post_id.group(1)} has no time@datetime")
    body = post.css(".message-userContent .bbWrapper")
    if not body:
        raise CommentFormatError(f"{SITE}: post {post_id.group(1)} has no .bbWrapper body")
    body.css(".bbCodeBlock--quote").drop()
    return ParsedComment(
        site_comment_id=post_id.group(1),
        parent_site_id=None,
        text=element_text(body[0].root),
        created_at=local_datetime(when, SITE),
        likes=_reactions(post),
        author_name=(post.attrib.get("data-author") or "").strip() or None,
    )


def _reactions(post: Selector) -> int:
    bar = post.css(".reactionsBar-link")
    if not bar:
        return 0
    named = len(bar.css("bdi"))
    others = _OTHERS.search(" ".join(bar.css("::text").getall()))
    return named + (int(re.sub(r"\D", "", others.group(1))) if others else 0)
