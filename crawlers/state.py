"""Crawl state across runs (SQLite in the data directory).

An article counts as done only once its document is stored (indexed or written out), so a
crawl killed mid-run fetches the missing ones again next time and upserts make the repeats
harmless. With the fetch journal (crawlers/journal.py) an article counts as done once its
document is durably journaled: the journal then guarantees it is stored, so "stored" here
means "stored or journaled" and a killed crawl refetches nothing. Articles younger than a
source's ``comments_refresh_days`` have their comments fetched again on later runs, because
comments keep arriving.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.comments.base import ArticleRef
from crawlers.shared_sqlite import connect_shared

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    published_at TEXT,
    stored_at TEXT NOT NULL,
    comment_ref TEXT,
    comments_fetched_at TEXT
);
CREATE INDEX IF NOT EXISTS articles_by_source ON articles (source, published_at);
"""


class CrawlState:
    """Which articles are stored, and which comment threads to refresh. Thread-safe."""

    def __init__(self, path: Path) -> None:
        # Several crawler processes on one machine (README, Scale-out) share this file.
        self._db = connect_shared(path, SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def is_stored(self, url: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone()
        return row is not None

    def mark_stored(
        self,
        urls: Iterable[str],
        *,
        source: str,
        doc_id: str,
        published_at: datetime | None,
        comment_ref: ArticleRef | None,
    ) -> None:
        """Record an article under every URL it was reached by (listing URL, canonical URL)."""
        now = datetime.now(UTC).isoformat()
        ref = json.dumps(asdict(comment_ref)) if comment_ref else None
        published = published_at.isoformat() if published_at else None
        rows = [(u, source, doc_id, published, now, ref) for u in dict.fromkeys(urls)]
        with self._lock:
            self._db.executemany(
                "INSERT INTO articles (url, source, doc_id, published_at, stored_at, comment_ref)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
                " stored_at = excluded.stored_at,"
                " comment_ref = COALESCE(excluded.comment_ref, articles.comment_ref)",
                rows,
            )

    def threads_to_refresh(
        self, source: str, younger_than_days: int, now: datetime | None = None
    ) -> list[tuple[str, ArticleRef]]:
        """(article doc id, comment ref) of stored articles published within the window."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=younger_than_days)
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT doc_id, comment_ref FROM articles WHERE source = ?"
                " AND comment_ref IS NOT NULL AND published_at >= ? ORDER BY published_at DESC",
                (source, cutoff.isoformat()),
            ).fetchall()
        return [(doc_id, ArticleRef(**json.loads(ref))) for doc_id, ref in rows]

    def mark_comments_fetched(self, doc_id: str, at: datetime | None = None) -> None:
        stamp = (at or datetime.now(UTC)).isoformat()
        with self._lock:
            self._db.execute(
                "UPDATE articles SET comments_fetched_at = ? WHERE doc_id = ?", (stamp, doc_id)
            )
