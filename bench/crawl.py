"""Crawl benchmark: extraction pages/s on one core, end-to-end pages/s through a local
replay server, and Scrapy's own ``scrapy bench`` measured in the same run as the reference.

    python bench/crawl.py [--seconds 10] [--pages 300] [--concurrency 16]

Everything stays on 127.0.0.1. Extraction runs over every saved article page in
../shared/fixtures/sites and our own pages in tests/fixtures/sites; the end-to-end crawl
reads an RSS feed and article pages rendered from the sample site (documents written to a
JSON Lines file, so Elasticsearch is not part of the figure).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from crawlers.encoding import decode_page
from crawlers.extract.article import extract_article
from crawlers.replay import LocalSites, Page, page_key
from crawlers.sources import Source, load_sources
from vnopinion.demo_site import render
from vnopinion.demo_site.content import SampleArticle, load_site

REPO = Path(__file__).resolve().parents[1]
SHARED_SITES = REPO.parent / "shared" / "fixtures" / "sites"
OWN_SITES = REPO / "tests" / "fixtures" / "sites"


def article_pages() -> list[tuple[bytes, str, Source]]:
    """(body, url, source) for every saved and written article page."""
    if not SHARED_SITES.is_dir():
        sys.exit(f"bench/crawl needs the shared fixtures at {SHARED_SITES}")
    by_domain = {d: s for s in load_sources().values() for d in s.domains}
    pages = []
    for folder in (SHARED_SITES, OWN_SITES):
        for path in sorted(folder.glob("*/article-*.html")):
            source = by_domain.get(path.parent.name)
            if source is not None:
                pages.append((path.read_bytes(), f"https://{path.parent.name}/{path.stem}", source))
    return pages


def extraction_rate(seconds: float) -> tuple[int, float]:
    pages = article_pages()
    done, began = 0, time.perf_counter()
    now = datetime.now(UTC)
    while time.perf_counter() - began < seconds:
        for body, url, source in pages:
            extract_article(decode_page(body).text, url, source, now)
            done += 1
    return done, time.perf_counter() - began


def replay_site(count: int) -> dict[str, Page]:
    """``count`` article pages (the sample site's, repeated under new ids) and their feed."""
    written = load_site().articles
    copies: list[SampleArticle] = []
    for n in range(count):
        base = written[n % len(written)]
        copies.append(base.model_copy(update={"id": base.id + 100_000 * (n // len(written))}))
    origin = render.CANONICAL_ORIGIN
    site = load_site().model_copy(update={"articles": copies})
    pages = {page_key(f"{origin}/rss/bench.rss"): Page(render.rss_feed(site, origin).encode(),
                                                       "application/rss+xml")}  # fmt: skip
    for article in copies:
        pages[page_key(origin + article.path)] = Page(render.article_page(article).encode())
    return pages


def end_to_end_rate(count: int, concurrency: int) -> dict[str, float]:
    source = {
        "key": "bench", "name": "Bench", "domains": ["tindansinh.demo"],
        "entry_points": [{"kind": "rss", "url": f"{render.CANONICAL_ORIGIN}/rss/bench.rss"}],
        "article_url_patterns": [r"^https://tindansinh\.demo/.+-\d{7}\.html$"],
        "limits": {"max_articles_per_run": count + 1},
    }  # fmt: skip
    sites = LocalSites(replay_site(count))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            args = {"base": sites.base_url, "source": source, "data_dir": tmp,
                    "out": f"{tmp}/docs.jsonl", "concurrency": concurrency}  # fmt: skip
            result = subprocess.run(
                [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
                cwd=REPO, capture_output=True, text=True, check=True,
            )  # fmt: skip
    finally:
        sites.close()
    run = json.loads(result.stdout.strip().splitlines()[-1])
    report = run["report"]
    assert run["outside_attempts"] == [], run["outside_attempts"]
    return {"articles": report["articles"], "responses": report["responses"],
            "elapsed_s": report["elapsed_s"]}  # fmt: skip


def scrapy_bench(seconds: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
         "-s", "LOG_LEVEL=INFO"],
        capture_output=True, text=True, check=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    log = result.stderr + result.stdout
    responses = int(re.findall(r"'response_received_count': (\d+)", log)[-1])
    elapsed = float(re.findall(r"'elapsed_time_seconds': ([\d.]+)", log)[-1])
    return {"responses": responses, "elapsed_s": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    done, spent = extraction_rate(args.seconds)
    print(f"extraction (decode + extract, 1 core): {done} pages in {spent:.1f} s "
          f"= {done / spent:.1f} pages/s over {len(article_pages())} distinct pages")  # fmt: skip
    e2e = end_to_end_rate(args.pages, args.concurrency)
    print(f"end to end (replay server -> NewsSpider -> extraction -> JSON Lines, "
          f"concurrency {args.concurrency}): {e2e['articles']:.0f} articles, "
          f"{e2e['responses']:.0f} responses in {e2e['elapsed_s']:.1f} s "
          f"= {e2e['responses'] / e2e['elapsed_s']:.1f} pages/s")  # fmt: skip
    ref = scrapy_bench(int(args.seconds))
    print(f"reference `scrapy bench` (link following, no extraction): {ref['responses']:.0f} "
          f"responses in {ref['elapsed_s']:.1f} s = {ref['responses'] / ref['elapsed_s']:.1f} "
          "pages/s")  # fmt: skip


if __name__ == "__main__":
    main()
