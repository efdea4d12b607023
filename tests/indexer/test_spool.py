"""The spool on the real node: what Elasticsearch cannot take is kept on disk, replayed once.

An outage is a client pointed at a closed port; a retryable refusal is a real
``read_only_allow_delete`` block (429); a refusal for good is a keyword over Lucene's term
limit (400). Each test ends on an exact count.
"""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer import spool as spool_module
from indexer.client import make_client
from indexer.documents import article_id
from indexer.setup import ensure_index
from indexer.spool import REJECTED_FILE, Spool, SpoolError, replay, store_durably
from tests.conftest import free_port, node_settings
from tests.indexer.test_setup_and_bulk import article

pytestmark = pytest.mark.es


@pytest.fixture
def away() -> Iterator[Elasticsearch]:
    """A client for a port nobody listens on: Elasticsearch is away."""
    client = make_client(node_settings(es_url=f"http://127.0.0.1:{free_port()}"))
    yield client
    client.close()


def count(es: Elasticsearch, alias: str) -> int:
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def test_outage_spools_and_replay_indexes_each_document_once(
    es: Elasticsearch, alias: str, away: Elasticsearch, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    docs = [article(n) for n in range(1, 121)]
    first = store_durably(away, docs[:80], alias, spool, chunk_size=25)
    # 20 of them again: the same documents twice must not become two
    second = store_durably(away, docs[60:], alias, spool, chunk_size=25)
    assert (first.spooled, second.spooled, first.indexed) == (80, 60, 0)
    assert spool.pending() == 140

    report = replay(es, spool, chunk_size=25)
    assert report.error is None
    assert (report.result.replayed, report.segments, report.torn) == (140, 1, 0)
    assert spool.segments() == []
    assert count(es, alias) == 120
    again = replay(es, spool)
    assert (again.result.replayed, count(es, alias)) == (0, 120)


def test_torn_last_line_is_skipped_with_a_warning(
    es: Elasticsearch, alias: str, away: Elasticsearch, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    spool = Spool(tmp_path / "spool")
    store_durably(away, [article(n) for n in range(1, 6)], alias, spool)
    spool.seal()
    (segment,) = spool.segments()
    line = json.dumps({"alias": alias, "doc": article(6).to_source()}).encode()
    with segment.open("ab") as handle:  # a crash in the middle of a write
        handle.write(line[: len(line) // 2])
    with caplog.at_level(logging.WARNING, logger="indexer.spool"):
        report = replay(es, spool)
    assert (report.result.replayed, report.torn) == (5, 1)
    assert "torn last line" in caplog.text
    assert count(es, alias) == 5
    assert spool.segments() == []


def test_refusal_for_good_goes_to_the_rejected_file_retryable_to_the_spool(
    es: Elasticsearch, alias: str, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    setup = ensure_index(es, alias)
    huge_url = "https://example.vn/" + "a" * 40_000
    bad = article(1, url=huge_url, id=article_id(huge_url))
    result = store_durably(es, [bad, article(2)], alias, spool)
    assert (result.created, result.spooled, [r.id for r in result.rejected]) == (1, 0, [bad.id])
    (line,) = (tmp_path / "spool" / REJECTED_FILE).read_text().splitlines()
    kept = json.loads(line)
    assert (kept["id"], kept["status"], kept["doc"]["url"]) == (bad.id, 400, huge_url)
    assert "immense term" in kept["reason"] or "32766" in kept["reason"]

    # A full disk on the node blocks writes with 429: retryable, so spooled, not rejected.
    block = {"index.blocks.read_only_allow_delete": True}
    es.indices.put_settings(index=setup.index, settings=block)
    try:
        blocked = store_durably(es, [article(n, text="Cập nhật.") for n in (2, 3)], alias, spool)
    finally:
        es.indices.put_settings(
            index=setup.index, settings={"index.blocks.read_only_allow_delete": None}
        )
    assert (blocked.spooled, blocked.rejected, blocked.indexed) == (2, [], 0)
    report = replay(es, spool)
    assert (report.result.replayed, spool.pending()) == (2, 0)
    assert count(es, alias) == 2


def test_spool_where_a_file_stands_is_a_named_error(away: Elasticsearch, tmp_path: Path) -> None:
    (tmp_path / "spool").write_text("not a folder")
    spool = Spool(tmp_path / "spool")
    with pytest.raises(SpoolError) as caught:
        store_durably(away, [article(1)], "t-docs", spool)
    assert "Cannot write the spool" in caught.value.message
    assert "writable folder" in caught.value.hint
    assert (tmp_path / "spool").read_text() == "not a folder"


def test_failed_write_leaves_earlier_lines_whole(
    es: Elasticsearch, alias: str, away: Elasticsearch, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    spool = Spool(tmp_path / "spool")
    store_durably(away, [article(n) for n in range(1, 4)], alias, spool)
    (segment,) = spool.segments()
    before = segment.read_bytes()
    real_write = os.write

    def disk_full(fd: int, data: bytes | memoryview) -> int:  # half a write, then ENOSPC
        if len(data) > 10:
            real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(spool_module.os, "write", disk_full)
    with pytest.raises(SpoolError, match="No space left"):
        store_durably(away, [article(n) for n in range(4, 8)], alias, spool)
    monkeypatch.undo()
    assert segment.read_bytes() == before
    store_durably(away, [article(8)], alias, spool)
    assert len(spool.segments()) == 2  # the next write starts a new segment
    report = replay(es, spool)
    assert (report.result.replayed, report.torn, count(es, alias)) == (4, 0, 4)
