"""`vnopinion demo --no-serve`: sample site -> real Scrapy crawl -> Elasticsearch -> /search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.node import LocalNode
from indexer.queries import count_by_kind
from tests.conftest import cli_env, run_cli
from vnopinion.demo_site.content import SampleArticle, SampleSite, load_site
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary

pytestmark = [pytest.mark.es, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_counts(es_node: LocalNode, es_settings: Settings) -> Iterator[list[dict[str, int]]]:
    env = cli_env(es_settings, VNOPINION_INDEX_ALIAS="demo-docs",
                  VNOPINION_DEMO_SITE_PORT=str(es_settings.demo_site_port))  # fmt: skip
    counts = []
    for _ in range(2):
        result = run_cli("demo", "--no-serve", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        with Elasticsearch(es_settings.es_url) as client:
            client.indices.refresh(index="demo-docs")
            counts.append(count_by_kind(client, "demo-docs"))
    return counts


def test_demo_indexes_the_whole_sample_site(demo_counts: list[dict[str, int]]) -> None:
    site = load_site()
    first = demo_counts[0]
    assert first["article"] == len(site.articles)
    assert first["comment"] == sum(a.comment_count for a in site.articles)
    assert first["article"] >= 20
    assert first["comment"] >= 150


def test_running_the_demo_again_changes_no_count(demo_counts: list[dict[str, int]]) -> None:
    assert demo_counts[1] == demo_counts[0]


def distinctive_word(article: SampleArticle, site: SampleSite) -> str:
    """A word of the article's title found in no other article (comments may share it)."""
    others = " ".join(
        f"{a.title} {a.lead} {' '.join(a.body)}" for a in site.articles if a.id != article.id
    ).lower()
    words = [w for w in article.title.split() if w.isalpha() and len(w) > 3]
    unique = [w for w in words if w.lower() not in others.split()]
    assert unique, f"no distinctive word in {article.title!r}"
    return max(unique, key=len)


def test_search_finds_a_sample_article_with_a_highlight(
    demo_counts: list[dict[str, int]], es_settings: Settings
) -> None:
    site = load_site()
    article = site.articles[0]
    word = distinctive_word(article, site)
    settings = es_settings.model_copy(update={"index_alias": "demo-docs"})
    with TestClient(create_app(settings, load_vocabulary())) as client:
        response = client.get("/search", params={"q": word, "size": 100})
        health = client.get("/health").json()
    assert response.status_code == 200
    hits = response.json()["hits"]
    found = [h for h in hits if h["kind"] == "article"]
    assert [h["url"] for h in found] == ["https://tindansinh.demo" + article.path]
    assert found[0]["title"] == article.title
    assert f"<mark>{word}</mark>" in " ".join(found[0]["highlight"]["title"])
    assert health["status"] == "ok"
    assert health["documents"] == sum(demo_counts[0].values())


def test_demo_documents_carry_tags(
    demo_counts: list[dict[str, int]], es_settings: Settings
) -> None:
    with Elasticsearch(es_settings.es_url) as client:
        total = sum(demo_counts[0].values())

        def count(query: dict[str, object]) -> int:
            return int(client.count(index="demo-docs", query=query)["count"])

        assert count({"exists": {"field": "sentiment.label"}}) == total
        assert count({"exists": {"field": "toxicity.label"}}) == total
        assert count({"exists": {"field": "model_version"}}) == total
        # The sample site is written about the watch topics and names its places.
        assert count({"exists": {"field": "watch_topics"}}) >= total // 2
        assert count({"exists": {"field": "place.province"}}) >= total // 2
        assert count({"term": {"place.province": "Thành phố Hà Nội"}}) > 0
