"""A parsed comment becomes the shared ``Comment`` document, its author pseudonymised.

The raw display name leaves this function only when ``keep_author_names`` is on
(Decree 13/2023/NĐ-CP: names are personal data); otherwise the keyed ``author_id`` alone
lets an analyst follow one commenter.
"""

from __future__ import annotations

from datetime import datetime

from crawlers.comments.base import ArticleRef, ParsedComment
from crawlers.pseudonym import Pseudonymizer
from indexer.documents import Comment, comment_id


def to_document(
    parsed: ParsedComment,
    ref: ArticleRef,
    *,
    source: str,
    source_name: str,
    article_doc_id: str,
    pseudonymizer: Pseudonymizer,
    keep_author_names: bool,
    crawled_at: datetime,
) -> Comment:
    """Top-level comments hang under the article, replies under their parent comment."""
    name = (parsed.author_name or "").strip()
    parent = (
        article_doc_id
        if parsed.parent_site_id is None
        else comment_id(source, parsed.parent_site_id)
    )
    return Comment(
        id=comment_id(source, parsed.site_comment_id),
        source=source,
        source_name=source_name,
        url=f"{ref.url}#comment-{parsed.site_comment_id}",
        parent_id=parent,
        thread_id=article_doc_id,
        text=parsed.text,
        published_at=parsed.created_at,
        crawled_at=crawled_at,
        likes=parsed.likes,
        replies=parsed.reply_count,
        author_id=pseudonymizer.author_id(source, name) if name else None,
        author_name=name if keep_author_names and name else None,
    )
