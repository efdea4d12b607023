"""A realistic synthetic corpus for the API benchmark, drawn from the tagged sample site.

    python bench/api_corpus.py [--docs 1000000] [--alias bench-api-docs] [--seed 7]

The sample site's 24 articles and their comments are tagged once by the real tagger; every
generated document copies one of them (text, segmented and folded text, sentiment, toxicity,
watch topics, keywords, category, place) and varies what a year of monitoring varies: the
source (12 sites, unevenly), the time (365 days, more by day than by night, more on weekdays,
with a few bursts on one topic and province), the place (a fifth of documents move to another
province, so places spread over the whole country), engagement (heavy-tailed likes and
replies) and the commenter. One article in 20; comments point at an article of the same
source. Ids are deterministic, so a second run upserts the same documents.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from indexer.bulk import index_documents
from indexer.client import make_client
from indexer.documents import AnyDocument, Article, Comment, Place
from indexer.node import LocalNode
from indexer.setup import ensure_index
from nlp.tagger import Tagger
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

SOURCES = [  # (domain, name, weight)
    ("vnexpress.net", "VnExpress", 30),
    ("tuoitre.vn", "Tuổi Trẻ", 15),
    ("thanhnien.vn", "Thanh Niên", 12),
    ("dantri.com.vn", "Dân Trí", 12),
    ("vietnamnet.vn", "VietNamNet", 10),
    ("hanoimoi.vn", "Hà Nội Mới", 5),
    ("laodong.vn", "Lao Động", 5),
    ("vov.vn", "VOV", 4),
    ("kinhtedothi.vn", "Kinh tế & Đô thị", 3),
    ("nld.com.vn", "Người Lao Động", 2),
    ("voz.vn", "voz", 1),
    ("tindansinh.local", "Tin Dân Sinh", 1),
]
END = datetime(2026, 11, 25, tzinfo=UTC)
DAYS = 365
BURSTS = 6  # bursts of one topic in one province, a few days long
ARTICLE_EVERY = 20


def tagged_site(settings: Settings) -> tuple[list[Article], list[Comment]]:
    """The sample site's documents, tagged by the real tagger."""
    site = load_site()
    now = datetime.now(UTC)
    articles = [
        Article(id=f"site-{a.id}", source="tindansinh.local", source_name="Tin Dân Sinh",
                url=f"https://tindansinh.local{a.path}", title=a.title, lead=a.lead,
                text="\n\n".join(a.body), crawled_at=now, section=a.section)
        for a in site.articles
    ]  # fmt: skip
    comments = [
        Comment(id=f"site-{c.id}", source="tindansinh.local", source_name="Tin Dân Sinh",
                url=f"https://tindansinh.local{a.path}#c{c.id}", parent_id=f"site-{a.id}",
                thread_id=f"site-{a.id}", text=text, crawled_at=now)
        for a in site.articles
        for c in a.comments
        for text in (c.text, *(r.text for r in c.replies))
    ]  # fmt: skip
    with Tagger(settings.models_dir, entities=False) as tagger:
        tagged = tagger.tag([*articles, *comments])
    return (
        [d for d in tagged if isinstance(d, Article)],
        [d for d in tagged if isinstance(d, Comment)],
    )


def _moment(rng: random.Random) -> datetime:
    """A time in the year before END: weekdays and daytime (Vietnam, UTC+7) weigh more."""
    while True:
        day = rng.randrange(DAYS)
        at = END - timedelta(days=day, seconds=rng.randrange(86_400))
        local_hour = (at.hour + 7) % 24
        weight = (1.0 if at.weekday() < 5 else 0.6) * (1.0 if 6 <= local_hour <= 23 else 0.25)
        if rng.random() < weight:
            return at


def _provinces(articles: list[Article], comments: list[Comment]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for doc in (*articles, *comments):
        if doc.place is not None and doc.place.province:
            seen.setdefault(doc.place.province, doc.place.model_dump())
    return list(seen.values())


def generate(count: int, seed: int, articles: list[Article], comments: list[Comment]
             ) -> Iterator[AnyDocument]:  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    provinces = _provinces(articles, comments)
    extra = _all_provinces()
    weights = [w for _, _, w in SOURCES]
    bursts = [
        (END - timedelta(days=rng.randrange(3, DAYS)), rng.choice(comments)) for _ in range(BURSTS)
    ]
    crawled = datetime.now(UTC)
    for n in range(count):
        domain, name, _ = rng.choices(SOURCES, weights)[0]
        published = _moment(rng)
        if n % 50 == 0:  # 2% of documents land in a burst
            start, template_comment = bursts[n % BURSTS]
            published = start + timedelta(seconds=rng.randrange(3 * 86_400))
            template: AnyDocument = template_comment
        elif n % ARTICLE_EVERY == 0:
            template = rng.choice(articles)
        else:
            template = rng.choice(comments)
        place = template.place
        if rng.random() < 0.2:
            place = Place(**rng.choice(extra if rng.random() < 0.7 else provinces))
        update: dict[str, Any] = {
            "source": domain,
            "source_name": name,
            "published_at": published,
            "crawled_at": crawled,
            "place": place,
            "likes": int(rng.paretovariate(1.3)) - 1,
            "replies": int(rng.paretovariate(2.0)) - 1,
        }
        article_n = n - n % ARTICLE_EVERY
        article_id = f"bench-{seed}-{article_n}"
        if isinstance(template, Article):
            update |= {"id": f"bench-{seed}-{n}", "url": f"https://{domain}/bai-{n}.html"}
            yield template.model_copy(update=update)
        else:
            update |= {
                "id": f"bench-{seed}-{n}",
                "url": f"https://{domain}/bai-{article_n}.html#c{n}",
                "parent_id": article_id,
                "thread_id": article_id,
                "author_id": f"u{rng.randrange(200_000):06d}",
            }
            yield template.model_copy(update=update)


def _all_provinces() -> list[dict[str, Any]]:
    from vietnam_provinces import Province

    return [{"province": p.name} for p in Province.iter_all()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--alias", default="bench-api-docs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=1000)
    args = parser.parse_args()
    settings = Settings()
    LocalNode(settings).start()
    began = time.perf_counter()
    articles, comments = tagged_site(settings)
    print(f"tagged the sample site: {len(articles)} articles, {len(comments)} comments "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
    with make_client(settings) as client:
        ensure_index(client, args.alias)
        began = time.perf_counter()
        result = index_documents(
            client, generate(args.docs, args.seed, articles, comments), args.alias,
            chunk_size=args.chunk, total=args.docs,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        client.indices.refresh(index=args.alias)
        stored = client.count(index=args.alias)["count"]
    print(f"indexed {args.docs} documents in {seconds:.0f} s ({args.docs / seconds:,.0f} docs/s); "
          f"{result.summary()}; {stored} in {args.alias}")  # fmt: skip


if __name__ == "__main__":
    main()
