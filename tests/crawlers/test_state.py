from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.comments.base import ArticleRef
from crawlers.state import CrawlState

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_stored_articles_are_known_under_every_url_across_reopens(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    state = CrawlState(path)
    assert not state.is_stored("https://a.vn/x.htm")
    state.mark_stored(["https://a.vn/x.htm", "https://a.vn/x.html"], source="a", doc_id="d1",
                      published_at=NOW, comment_ref=None)  # fmt: skip
    state.close()
    again = CrawlState(path)
    assert again.is_stored("https://a.vn/x.htm")
    assert again.is_stored("https://a.vn/x.html")
    assert not again.is_stored("https://a.vn/y.html")


def test_only_young_threads_with_a_comment_ref_are_refreshed(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "state.sqlite")
    ref = ArticleRef(url="https://a.vn/new.html", site_article_id="42", extra={"type": "1"})
    state.mark_stored(["https://a.vn/new.html"], source="a", doc_id="new",
                      published_at=NOW - timedelta(days=2), comment_ref=ref)  # fmt: skip
    state.mark_stored(["https://a.vn/old.html"], source="a", doc_id="old",
                      published_at=NOW - timedelta(days=30), comment_ref=ref)  # fmt: skip
    state.mark_stored(["https://a.vn/none.html"], source="a", doc_id="none",
                      published_at=NOW, comment_ref=None)  # fmt: skip
    state.mark_stored(["https://b.vn/new.html"], source="b", doc_id="other",
                      published_at=NOW, comment_ref=ref)  # fmt: skip
    assert state.threads_to_refresh("a", younger_than_days=7, now=NOW) == [("new", ref)]


def test_a_later_store_without_ref_keeps_the_known_ref(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "state.sqlite")
    ref = ArticleRef(url="u", site_article_id="1")
    state.mark_stored(["u"], source="a", doc_id="d", published_at=NOW, comment_ref=ref)
    state.mark_stored(["u"], source="a", doc_id="d", published_at=NOW, comment_ref=None)
    assert state.threads_to_refresh("a", 7, now=NOW) == [("d", ref)]
