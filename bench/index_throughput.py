"""Bulk upsert throughput into the local node: documents per second, first pass and re-run.

    python bench/index_throughput.py [--docs 20000] [--chunk 500]

Starts the node of the current settings if needed (VNOPINION_* as usual), writes synthetic
comments built from the sample site's text into a throwaway alias, prints figures, and
deletes the alias's indices.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import UTC, datetime, timedelta

from indexer.bulk import index_documents
from indexer.client import make_client
from indexer.documents import Comment, comment_id
from indexer.node import LocalNode
from indexer.setup import ensure_index
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings


def synthetic_comments(count: int) -> list[Comment]:
    texts = [c.text for a in load_site().articles for c in a.comments]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    crawled = datetime.now(UTC)
    docs = []
    for n, text in zip(range(count), itertools.cycle(texts), strict=False):
        docs.append(Comment(
            id=comment_id("bench.local", n), source="bench.local", source_name="Bench",
            url=f"https://bench.local/a#c{n}", parent_id=f"a{n % 500}", thread_id=f"a{n % 500}",
            text=text, published_at=start + timedelta(minutes=n), crawled_at=crawled,
            likes=n % 97,
        ))  # fmt: skip
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    settings = Settings()
    LocalNode(settings).start()
    alias = f"bench-{int(time.time())}-docs"
    docs = synthetic_comments(args.docs)
    with make_client(settings) as client:
        ensure_index(client, alias)
        try:
            for label in ("first pass (create)", "second pass (same ids)"):
                began = time.perf_counter()
                result = index_documents(client, docs, alias, chunk_size=args.chunk,
                                         total=len(docs), progress=False)  # fmt: skip
                seconds = time.perf_counter() - began
                print(f"{label}: {len(docs)} docs in {seconds:.2f} s = "
                      f"{len(docs) / seconds:,.0f} docs/s; {result.summary()}")  # fmt: skip
            client.indices.refresh(index=alias)
            print(f"documents in {alias}: {client.count(index=alias)['count']}")
        finally:
            indices = list(client.indices.get(index=f"{alias}-*"))
            client.indices.delete(index=",".join(indices))
            client.indices.delete_index_template(name=alias)
    version = LocalNode(settings).status().version
    print(f"Elasticsearch {version}, heap {settings.es_heap}, chunk {args.chunk}")


if __name__ == "__main__":
    main()
