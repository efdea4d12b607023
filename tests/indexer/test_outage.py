"""Elasticsearch stopped for 30 s in the middle of ingestion: nothing lost, nothing twice.

A throwaway node of our own (the session's node must stay up for other tests). A thread
stores batches through the crawl's IndexSink; each batch repeats part of the one before, so
the same documents arrive twice. While the node is down they go to the spool; once it is
back the sink replays the spool first, and ``vnopinion index --replay`` takes what is left.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from crawlers.sinks import IndexSink
from indexer.client import make_client
from indexer.documents import Article
from indexer.node import LocalNode
from indexer.spool import Spool
from tests.conftest import cli_env, node_settings, run_cli
from tests.indexer.test_setup_and_bulk import article
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]
BATCH, REPEAT, PACE_S, OUTAGE_S = 50, 10, 0.3, 30


@pytest.fixture
def own_node() -> Iterator[tuple[LocalNode, Settings]]:
    settings = node_settings(index_alias="outage-docs")
    node = LocalNode(settings)
    node.start()
    yield node, settings
    node.stop()
    shutil.rmtree(settings.data_dir, ignore_errors=True)


class Ingest(threading.Thread):
    def __init__(self, sink: IndexSink) -> None:
        super().__init__(daemon=True)
        self.sink = sink
        self.batches = 0
        self.sent: set[str] = set()
        self.stored: set[str] = set()
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        previous: list[Article] = []
        try:
            while not self.stop.is_set():
                first = self.batches * BATCH
                batch = previous[-REPEAT:] + [article(first + n) for n in range(BATCH)]
                self.stored |= self.sink.store(batch)
                self.sent |= {d.id for d in batch}
                previous, self.batches = batch, self.batches + 1
                time.sleep(PACE_S)
        except BaseException as exc:  # reported by the test, never swallowed
            self.failure = exc


def wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_node_stopped_for_30_s_mid_ingestion_loses_and_duplicates_nothing(
    own_node: tuple[LocalNode, Settings],
) -> None:
    node, settings = own_node
    client = make_client(settings)
    sink = IndexSink(client, settings.index_alias, 100, Spool(settings.spool_dir))
    ingest = Ingest(sink)
    ingest.start()
    wait_for(lambda: ingest.batches >= 8, 120)
    node.stop()
    down_at = ingest.batches
    time.sleep(OUTAGE_S)
    assert ingest.batches > down_at + 10, "ingestion must go on while the node is down"
    node.start()
    up_at = ingest.batches
    wait_for(lambda: ingest.batches >= up_at + 8 or ingest.failure is not None, 180)
    ingest.stop.set()
    ingest.join(timeout=120)
    assert ingest.failure is None, repr(ingest.failure)
    sink.close()

    done = run_cli("index", "--replay", env=cli_env(settings))
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(r"(\d+) documents replayed", done.stdout)
    assert match, done.stdout
    spool = Spool(settings.spool_dir)
    assert (spool.pending(), spool.segments()) == (0, [])
    # Every document spooled was replayed, by the sink or by the command.
    assert sink.counts["spooled"] > 0
    assert sink.counts["replayed"] + int(match.group(1)) == sink.counts["spooled"]
    assert ingest.stored == ingest.sent
    with make_client(settings) as check:
        check.indices.refresh(index=settings.index_alias)
        indexed = check.count(index=settings.index_alias)["count"]
    print(  # the closing note quotes these (pytest -s)
        f"[outage] node stopped {OUTAGE_S} s after {down_at} batches, restarted at {up_at}; "
        f"{len(ingest.sent)} distinct ids sent; spooled {sink.counts['spooled']}, replayed by "
        f"the sink {sink.counts['replayed']} + by `index --replay` {match.group(1)}; counted "
        f"{indexed}"
    )
    assert indexed == len(ingest.sent) >= 2000
