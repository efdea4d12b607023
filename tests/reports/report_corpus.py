"""The API corpus (tests/api/corpus.py) plus what the weekly report must handle: a comment
that tries to inject a script and a ``javascript:`` link, the most liked of its week.

Week 48 of 2026 (23-29 November) holds the planted spike; week 47 is the week before.
"""

from __future__ import annotations

from indexer.documents import AnyDocument, Article, Comment, comment_id
from tests.api.corpus import CRAWLED, SPIKE_DAY, at, build, tag

INJECTED = '<script>alert("xss")</script> Đền bù quá thấp & "không công bằng"!'


def build_report_corpus() -> list[AnyDocument]:
    docs = build()
    land = next(
        d for d in docs if isinstance(d, Article) and d.url.endswith("phan-doi-thu-hoi-dat.html")
    )
    attack = Comment(
        id=comment_id(land.source, 9001), source=land.source, source_name=land.source_name,
        url="javascript:alert(1)", text=INJECTED, published_at=at(SPIKE_DAY, 20),
        crawled_at=CRAWLED, parent_id=land.id, thread_id=land.id, author_id="author-x",
        author_name="Trần Thị B", likes=1000, replies=0,
    )  # fmt: skip
    tag(attack, INJECTED, "dat_dai", land.place.province if land.place else None, "negative",
        None, land.category, ["đền bù"])  # fmt: skip
    return [*docs, attack]
