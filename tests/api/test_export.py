"""/export on the seeded corpus (real node): CSV that parses back, paging, failures."""

from __future__ import annotations

import csv
import io

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from indexer.client import make_client
from indexer.documents import AnyDocument
from indexer.export import COLUMNS, ExportInterruptedError, csv_row, open_export
from indexer.filters import Filters
from vnopinion.settings import Settings

BOM = "\ufeff"


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.es
def test_export_matches_the_query(api: TestClient) -> None:
    params = {"topic": "dat_dai", "since": "2026-11-01"}
    response = api.get("/export", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    rows = rows_of(response.content.decode("utf-8"))
    total = api.get("/search", params=params).json()["total"]
    assert rows[0] == list(COLUMNS)
    assert (
        len(rows) - 1 == total == int(response.headers["x-total-count"]) == 6 * 2 + 15
    )  # land news from 1 November, every 4th day
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [r["published_at"] for r in records] == sorted(
        (r["published_at"] for r in records), reverse=True
    )
    spike = next(r for r in records if r["likes"] == "500")
    assert spike["title"] == "Hàng trăm hộ dân phản đối cưỡng chế thu hồi đất"
    assert spike["published_at"] == "2026-11-25T07:00:00+07:00"
    assert (spike["sentiment"], spike["province"], spike["commune"]) == (
        "negative", "Thành phố Hà Nội", "Phường Hoàn Kiếm",
    )  # fmt: skip
    assert spike["watch_topics"] == "dat_dai"
    comment = next(r for r in records if r["kind"] == "comment")
    assert comment["author_id"].startswith("author-")
    assert "Nguyễn Văn A" not in response.content.decode("utf-8")  # never the raw name


@pytest.mark.es
def test_export_is_bounded(api: TestClient) -> None:
    response = api.get("/export", params={"max_rows": 3, "text_chars": 10})
    rows = rows_of(response.content.decode("utf-8"))
    assert len(rows) == 4
    assert all(len(r[COLUMNS.index("text")]) <= 10 for r in rows[1:])
    assert api.get("/export", params={"max_rows": 0}).status_code == 422
    assert api.get("/export", params={"max_rows": 100_001}).status_code == 422


@pytest.fixture
def client(corpus_settings: Settings) -> Elasticsearch:
    return make_client(corpus_settings)


@pytest.mark.es
def test_export_pages_through_everything(
    client: Elasticsearch, corpus_settings: Settings, corpus: list[AnyDocument]
) -> None:
    export = open_export(
        client, corpus_settings.index_alias, Filters(), max_rows=1_000, text_chars=50,
        page_size=7,
    )  # fmt: skip
    rows = rows_of("".join(export.chunks()))
    ids = [r[0] for r in rows[1:]]
    assert len(ids) == len(set(ids)) == export.total == len(corpus)
    assert set(ids) == {d.id for d in corpus}
    assert rows[-1][COLUMNS.index("published_at")] == ""  # the undated one comes last


@pytest.mark.es
def test_export_cut_short_mid_stream_raises(
    client: Elasticsearch, corpus_settings: Settings
) -> None:
    export = open_export(
        client, corpus_settings.index_alias, Filters(), max_rows=1_000, text_chars=50,
        page_size=5,
    )  # fmt: skip
    chunks = export.chunks()
    next(chunks)  # header
    next(chunks)  # first page
    client.close_point_in_time(id=export.pit)  # the point in time is gone behind its back
    with pytest.raises(ExportInterruptedError, match="after 5 rows"):
        list(chunks)


def test_csv_cells_are_safe_for_spreadsheets() -> None:
    row = csv_row(
        {"id": "x", "kind": "comment", "text": "=HYPERLINK(\"http://evil\")", "title": "@cmd",
         "source_name": "-1+2", "likes": 3, "watch_topics": ["dat_dai", "y_te"],
         "published_at": "2026-11-20T01:00:00Z", "author_name": "Nguyễn Văn A"},
        text_chars=100,
    )  # fmt: skip
    record = dict(zip(COLUMNS, row, strict=True))
    assert record["text"] == '\'=HYPERLINK("http://evil")'
    assert (record["title"], record["source_name"]) == ("'@cmd", "'-1+2")
    assert record["watch_topics"] == "dat_dai;y_te"
    assert record["published_at"] == "2026-11-20T08:00:00+07:00"
    assert "Nguyễn Văn A" not in row
    assert csv_row({"text": "một hai ba bốn"}, text_chars=8)[COLUMNS.index("text")] == "một hai…"
