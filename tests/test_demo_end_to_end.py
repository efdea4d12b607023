"""`vnopinion demo --no-serve`: sample site -> real Scrapy crawl -> Elasticsearch -> /search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.client import make_client
from indexer.filters import VN_TZ
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
        with make_client(es_settings) as client:
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
    with make_client(es_settings) as client:
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


def test_the_dashboard_default_view_is_populated(
    demo_counts: list[dict[str, int]], es_settings: Settings
) -> None:
    """GET / is the dashboard, and every call it makes for its default view (the 30 days up
    to the newest document, api/dashboard/js/state.js) has data for the sample site."""
    settings = es_settings.model_copy(update={"index_alias": "demo-docs"})
    with TestClient(create_app(settings, load_vocabulary())) as client:
        page = client.get("/")
        latest = date.fromisoformat(client.get("/health").json()["latest_published_at"][:10])
        window = {"since": str(latest - timedelta(days=29)), "until": str(latest)}
        trends = client.get("/trends", params={**window, "interval": "day"}).json()
        topics = client.get("/topics", params=window).json()["topics"]
        places = client.get("/places", params=window).json()["provinces"]
        comments = client.get(
            "/search", params={**window, "kind": "comment", "sort": "time", "size": 20}
        ).json()
        spikes = client.get(
            "/spikes", params={"until": window["until"], "interval": "day", "recent": 7}
        )
        options = [client.get(path).json() for path in ("/sources", "/places", "/topics")]
    assert page.status_code == 200
    assert 'src="dashboard/js/app.js"' in page.text
    assert "Content-Security-Policy" in page.headers
    site = load_site()
    newest = max(
        moment
        for a in site.articles
        for moment in (a.published_at, *(x.created_at for c in a.comments for x in (c, *c.replies)))
    )
    assert latest == newest.astimezone(VN_TZ).date()  # in November 2026, not "today"
    assert trends["total"] == sum(demo_counts[0].values())  # the whole sample site
    assert sum(1 for b in trends["buckets"] if b["count"]) >= 10
    assert sum(t["count"] > 0 for t in topics) >= 5
    assert places
    assert places[0]["count"] > 0
    assert len(comments["hits"]) == 20
    assert comments["next_cursor"]
    assert spikes.status_code == 200
    assert options[0]["sources"]
    assert options[1]["provinces"]
    assert options[2]["topics"]
