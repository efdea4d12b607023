"""CSV export of any filtered query, paged through a point in time.

``open_export`` opens the point in time and reads the first page before anything is sent,
so an Elasticsearch that is away fails the request cleanly (503). If it goes away later,
mid-stream, the headers are already sent: ``chunks`` logs the reason and raises
``ExportInterruptedError``, and the server aborts the response, so the client sees a broken
download instead of a file that looks complete.

The file is UTF-8 with a byte order mark (Excel then reads Vietnamese correctly), one row
per document, newest first. Commenters appear only as ``author_id`` (a keyed pseudonym),
never by name. Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``
first) get a leading apostrophe: comments are written by anyone.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer.errors import VnopinionError
from indexer.filters import VN_TZ, Filters, es_query

__all__ = ["COLUMNS", "MAX_EXPORT_ROWS", "Export", "ExportInterruptedError", "open_export"]

log = logging.getLogger(__name__)

COLUMNS = (
    "id", "kind", "source_name", "url", "published_at", "title", "text", "sentiment",
    "toxicity", "category", "watch_topics", "province", "commune", "likes", "replies",
    "author_id",
)  # fmt: skip
MAX_EXPORT_ROWS = 100_000
PAGE_SIZE = 1_000
KEEP_ALIVE = "2m"
BOM = "\ufeff"
_SOURCE = [c for c in COLUMNS if c not in ("sentiment", "toxicity", "province", "commune")] + [
    "sentiment.label", "toxicity.label", "place.province", "place.commune",
]  # fmt: skip
_SORT = [
    {"published_at": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportInterruptedError(VnopinionError):
    """Elasticsearch failed after the CSV had started: the download is cut short."""


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _published(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(VN_TZ).isoformat()


def csv_row(source: dict[str, Any], text_chars: int) -> list[str]:
    """The CSV cells of one stored document, in ``COLUMNS`` order."""
    place = source.get("place") or {}
    values = {
        "id": source.get("id", ""),
        "kind": source.get("kind", ""),
        "source_name": source.get("source_name", ""),
        "url": source.get("url", ""),
        "published_at": _published(source.get("published_at")),
        "title": source.get("title") or "",
        "text": _truncate(source.get("text") or "", text_chars),
        "sentiment": (source.get("sentiment") or {}).get("label", ""),
        "toxicity": (source.get("toxicity") or {}).get("label", ""),
        "category": source.get("category") or "",
        "watch_topics": ";".join(source.get("watch_topics") or []),
        "province": place.get("province") or "",
        "commune": place.get("commune") or "",
        "likes": "" if source.get("likes") is None else str(source["likes"]),
        "replies": "" if source.get("replies") is None else str(source["replies"]),
        "author_id": source.get("author_id") or "",
    }
    return [_cell(values[c]) for c in COLUMNS]


@dataclass
class Export:
    client: Elasticsearch
    filters: Filters
    max_rows: int
    text_chars: int
    page_size: int
    pit: str
    total: int
    first: list[dict[str, Any]] = field(repr=False)

    @property
    def rows(self) -> int:
        return min(self.total, self.max_rows)

    def _page(self, after: list[Any], size: int) -> list[dict[str, Any]]:
        response = self.client.search(
            pit={"id": self.pit, "keep_alive": KEEP_ALIVE},
            query=es_query(self.filters),
            sort=_SORT,
            search_after=after,
            size=size,
            source_includes=_SOURCE,
            track_total_hits=False,
        )
        self.pit = response.get("pit_id", self.pit)
        hits: list[dict[str, Any]] = response["hits"]["hits"]
        return hits

    def chunks(self) -> Iterator[str]:
        """The CSV text, a page at a time; closes the point in time at the end."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        yield BOM + buffer.getvalue()
        written, hits = 0, self.first
        try:
            while hits and written < self.max_rows:
                buffer.seek(0)
                buffer.truncate()
                for hit in hits[: self.max_rows - written]:
                    writer.writerow(csv_row(hit["_source"], self.text_chars))
                    written += 1
                yield buffer.getvalue()
                if written < self.max_rows:  # an empty page ends it
                    hits = self._page(
                        hits[-1]["sort"], min(self.page_size, self.max_rows - written)
                    )
        except (ApiError, TransportError) as exc:
            log.warning("CSV export cut short after %d rows: %s", written, exc)
            raise ExportInterruptedError(
                f"Elasticsearch failed after {written} rows: {exc}"
            ) from exc
        finally:
            self.close()

    def close(self) -> None:
        _close(self.client, self.pit)


def _close(client: Elasticsearch, pit: str) -> None:
    try:
        client.close_point_in_time(id=pit)
    except (ApiError, TransportError) as exc:  # it expires by itself after KEEP_ALIVE
        log.info("could not close point in time (%s); it expires in %s", exc, KEEP_ALIVE)


def open_export(
    client: Elasticsearch,
    alias: str,
    filters: Filters,
    *,
    max_rows: int,
    text_chars: int,
    page_size: int = PAGE_SIZE,
) -> Export:
    """Open a point in time over ``alias`` and read the first page (raises on failure)."""
    pit = client.open_point_in_time(index=alias, keep_alive=KEEP_ALIVE)["id"]
    try:
        response = client.search(
            pit={"id": pit, "keep_alive": KEEP_ALIVE},
            query=es_query(filters),
            sort=_SORT,
            size=min(page_size, max_rows),
            source_includes=_SOURCE,
            track_total_hits=True,
        )
    except (ApiError, TransportError):
        _close(client, pit)
        raise
    return Export(
        client=client,
        filters=filters,
        max_rows=max_rows,
        text_chars=text_chars,
        page_size=page_size,
        pit=response.get("pit_id", pit),
        total=int(response["hits"]["total"]["value"]),
        first=response["hits"]["hits"],
    )
