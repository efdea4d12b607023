"""HTML, RSS and JSON of the sample site, shaped like Vietnamese news sites' own pages."""

from __future__ import annotations

import json
from email.utils import format_datetime
from html import escape
from typing import Any

from vnopinion.demo_site.content import (
    SITE_DOMAIN,
    SITE_NAME,
    SampleArticle,
    SampleReply,
    SampleSite,
)

CANONICAL_ORIGIN = f"https://{SITE_DOMAIN}"
MAX_COMMENT_PAGE = 25

_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{title}</title>
{head}
</head>
<body>
<header class="header"><a class="logo" href="/">{site}</a></header>
<main class="container">
{body}
</main>
<footer class="footer">© 2026 {site}. Nội dung mẫu do nhóm vnopinion tự viết.</footer>
</body>
</html>
"""


def home_page(site: SampleSite) -> str:
    items = []
    for article in site.articles:
        stamp = int(article.published_at.timestamp())
        items.append(
            f'<article class="item-news" data-publishtime="{stamp}">'
            f'<h3 class="title-news"><a href="{article.path}" title="{escape(article.title)}">'
            f"{escape(article.title)}</a></h3>"
            f'<p class="description">{escape(article.lead)}</p></article>'
        )
    head = '<link rel="alternate" type="application/rss+xml" href="/rss/tin-moi-nhat.rss">'
    body = '<section class="list-news">\n' + "\n".join(items) + "\n</section>"
    return _PAGE.format(title=escape(SITE_NAME), head=head, body=body, site=escape(SITE_NAME))


def article_page(article: SampleArticle, api_url: str = "/api/comments") -> str:
    """``api_url``: the comment endpoint in the comment box (absolute when served live, so a
    crawler that reads the page under its canonical URL still finds the server)."""
    canonical = CANONICAL_ORIGIN + article.path
    published = article.published_at.isoformat()
    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "datePublished": published,
        "author": {"@type": "Person", "name": article.author},
        "articleSection": article.section_name,
        "mainEntityOfPage": canonical,
    }
    component = {"article_id": article.id, "article_type": 1, "site_id": 1000000}
    head = "\n".join([
        f'<link rel="canonical" href="{canonical}">',
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta name="description" content="{escape(article.lead)}">',
        f'<meta property="article:published_time" content="{published}">',
        f'<meta itemprop="articleSection" content="{escape(article.section_name)}">',
        f'<meta name="tt_article_id" content="{article.id}">',
        f'<meta name="keywords" content="{escape(", ".join(article.tags))}">',
        '<script type="application/ld+json">'
        + json.dumps(json_ld, ensure_ascii=False).replace("</", "<\\/")
        + "</script>",
    ])  # fmt: skip
    paragraphs = "\n".join(f'<p class="Normal">{escape(p)}</p>' for p in article.body)
    tags = "".join(f'<a class="tag" href="/tag/{escape(t)}">{escape(t)}</a>' for t in article.tags)
    section = f'<a href="/{article.section}">{escape(article.section_name)}</a>'
    body = f"""<div class="breadcrumb">{section}</div>
<span class="date">{article.published_at:%d/%m/%Y, %H:%M} (GMT+7)</span>
<h1 class="title-detail">{escape(article.title)}</h1>
<p class="description">{escape(article.lead)}</p>
<article class="fck_detail" data-component-input='{json.dumps(component)}'>
{paragraphs}
<p class="author_mail"><strong>{escape(article.author)}</strong></p>
</article>
<div class="tags">{tags}</div>
<div id="box_comment" data-objectid="{article.id}" data-objecttype="1"
     data-api="{escape(api_url)}" data-total="{article.comment_count}"></div>"""
    return _PAGE.format(title=escape(article.title), head=head, body=body, site=escape(SITE_NAME))


CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow"></head>
<body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">tindansinh.demo</h1>
<h2 class="h2" id="challenge-running">Verifying you are human. This may take a few seconds.</h2>
<noscript><div class="h2">Enable JavaScript and cookies to continue</div></noscript>
</div></div>
<script>(function(){window._cf_chl_opt={cvId: '3', cType: 'managed', cRay: '8e0c0ffee0000000'};
var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';
document.getElementsByTagName('head')[0].appendChild(a);}());</script>
</body></html>
"""


def rss_feed(site: SampleSite, base_url: str) -> str:
    items = []
    for article in site.articles:
        link = base_url + article.path
        items.append(
            "<item>"
            f"<title>{escape(article.title)}</title>"
            f"<description>{escape(article.lead)}</description>"
            f"<pubDate>{format_datetime(article.published_at)}</pubDate>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{article.id}</guid>'
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(SITE_NAME)} - Tin mới nhất</title><link>{base_url}/</link>"
        "<description>Tin mới nhất</description><language>vi</language>"
        + "".join(items)
        + "</channel></rss>\n"
    )


def _comment_json(article: SampleArticle, comment: SampleReply, parent: int) -> dict[str, Any]:
    return {
        "comment_id": comment.id,
        "parent_id": parent,
        "article_id": article.id,
        "content": escape(comment.text).replace("\n", "<br>"),
        "full_name": comment.author,
        "creation_time": int(comment.created_at.timestamp()),
        "userlike": comment.likes,
    }


def comments_json(article: SampleArticle, offset: int, limit: int) -> dict[str, Any]:
    """One page of top-level comments (most liked first), each with its replies inline."""
    ranked = sorted(article.comments, key=lambda c: (-c.likes, c.id))
    items = []
    for comment in ranked[offset : offset + min(limit, MAX_COMMENT_PAGE)]:
        item = _comment_json(article, comment, 0)
        item["replys"] = {
            "total": len(comment.replies),
            "items": [_comment_json(article, r, comment.id) for r in comment.replies],
        }
        items.append(item)
    return {
        "error": 0,
        "errorDescription": "",
        "data": {
            "total": len(article.comments),
            "totalitem": article.comment_count,
            "offset": offset,
            "items": items,
        },
    }
