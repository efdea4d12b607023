"""A three-node cluster with one replica loses a node mid-ingestion: nothing lost, nothing twice.

A cluster of our own (``indexer.cluster``), its three nodes on free ports under a cluster
name no other test uses. The monthly index is put up through the production set-up and must
have its replica (``auto_expand_replicas: 0-1``) and be green before ingestion starts. The
same ingestion thread as ``test_outage`` stores batches through the crawl's IndexSink, with
the client given all three nodes. In the middle, one node is SIGKILLed: the elected master,
made to hold the primary shard first (the worst single loss: a new master is elected and the
replica promoted at once). What the cluster could not take goes to the spool and is
replayed; at the end the alias holds each document sent exactly once.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from crawlers.sinks import IndexSink
from indexer.client import make_client
from indexer.cluster import LocalCluster
from indexer.setup import ensure_index
from indexer.spool import Spool, replay
from tests.conftest import free_port, node_settings
from tests.indexer.test_outage import Ingest, wait_for
from tests.indexer.test_setup_and_bulk import article
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]
NODES, BATCHES_BEFORE, BATCHES_AFTER = 3, 12, 40
RETRY_LOG = "Retrying request after"  # elastic_transport: a request went to another node


def cluster_ports() -> list[int]:
    """HTTP ports p, each with p + 100 (transport) free, no two pairs overlapping."""
    ports: list[int] = []
    while len(ports) < NODES:
        port = free_port(span=100)
        taken = {p for q in ports for p in (q, q + 100)}
        if not {port, port + 100} & taken:
            ports.append(port)
    return ports


@pytest.fixture
def cluster() -> Iterator[tuple[LocalCluster, Settings]]:
    hosts = ",".join(f"http://127.0.0.1:{port}" for port in cluster_ports())
    settings = node_settings(
        es_url=hosts, index_alias="fault-docs", es_heap="384m", es_start_timeout_s=300.0
    )
    cluster = LocalCluster(settings, cluster_name=f"vnopinion-fault-{uuid.uuid4().hex[:8]}")
    try:
        cluster.start()
        yield cluster, settings
    finally:
        cluster.stop()
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def shard_copies(client: Elasticsearch, index: str) -> list[dict[str, str]]:
    """The primary's row, then the replica's: prirep, state, node."""
    rows = client.cat.shards(index=index, format="json", h="prirep,state,node").body
    return sorted(rows, key=lambda row: row["prirep"])


def move_primary_to(client: Elasticsearch, local: LocalCluster, index: str, node: str) -> int:
    """Relocate the index's primary onto ``node`` (its replica off it first, if there);
    return how many shard moves that took."""
    primary, replica = (copy["node"] for copy in shard_copies(client, index))
    moves = []
    if replica == node:
        third = next(n.name for n in local.nodes if n.name not in (primary, replica))
        moves.append((replica, third))
    if primary != node:
        moves.append((primary, node))
    for source, target in moves:
        move = {"index": index, "shard": 0, "from_node": source, "to_node": target}
        client.cluster.reroute(commands=[{"move": move}], metric="none")
        local.wait_for_health("green", index, wait_for_no_relocating_shards="true")
    return len(moves)


def test_master_with_the_primary_killed_mid_ingestion_loses_and_duplicates_nothing(
    cluster: tuple[LocalCluster, Settings], caplog: pytest.LogCaptureFixture
) -> None:
    local, settings = cluster
    alias = settings.index_alias
    client = make_client(settings)
    index = ensure_index(client, alias, now=article(0).published_at).index
    local.wait_for_health("green", index=f"{alias}-*")
    replicas = client.indices.get_settings(index=index, name="index.number_of_replicas")
    assert replicas[index]["settings"]["index"]["number_of_replicas"] == "1"
    master = client.cat.master(h="node").body.strip()
    moves = move_primary_to(client, local, index, master)
    copies = shard_copies(client, index)
    assert [(c["prirep"], c["state"]) for c in copies] == [("p", "STARTED"), ("r", "STARTED")]
    assert copies[0]["node"] == master != copies[1]["node"]
    caplog.set_level(logging.WARNING, logger="elastic_transport")

    started = time.monotonic()
    sink = IndexSink(client, alias, 100, Spool(settings.spool_dir))
    ingest = Ingest(sink)
    ingest.start()
    wait_for(lambda: ingest.batches >= BATCHES_BEFORE or ingest.failure is not None, 120)
    killed_at = ingest.batches
    assert local.node(master).kill()
    wait_for(lambda: ingest.batches >= killed_at + BATCHES_AFTER or ingest.failure is not None, 300)
    ingest.stop.set()
    ingest.join(timeout=120)
    assert ingest.failure is None, repr(ingest.failure)
    left = replay(client, sink.spool)  # what the sink had not replayed yet
    assert left.error is None, left.error
    sink.close()
    spool = Spool(settings.spool_dir)
    assert (spool.pending(), spool.segments()) == (0, [])
    assert sink.counts["replayed"] + left.result.replayed == sink.counts["spooled"]
    assert ingest.stored == ingest.sent

    with make_client(settings) as check:
        check.indices.refresh(index=alias)
        indexed = check.count(index=alias)["count"]
        twice = check.search(
            index=alias, size=0,
            aggs={"ids": {"terms": {"field": "id", "min_doc_count": 2, "size": 10}}},
        )["aggregations"]["ids"]["buckets"]  # fmt: skip
        hits = check.search(index=alias, size=len(ingest.sent) + 100, source=False)
        after = shard_copies(check, index)
        new_master = check.cat.master(h="node").body.strip()
    retries = sum(RETRY_LOG in record.getMessage() for record in caplog.records)
    print(
        f"\n[cluster fault] killed {master} (elected master, primary on it after {moves} "
        f"shard moves, replica on {copies[1]['node']}) after {killed_at} batches; "
        f"new master {new_master}; "
        f"{ingest.batches} batches, {len(ingest.sent)} distinct ids sent; "
        f"client requests retried on another node {retries}; "
        f"spooled {sink.counts['spooled']}, replayed {sink.counts['replayed']} by the sink "
        f"+ {left.result.replayed} at the end; counted {indexed}, ids seen twice "
        f"{len(twice)}; ingestion {time.monotonic() - started:.0f} s; shards after: {after}"
    )
    ids = [hit["_id"] for hit in hits["hits"]["hits"]]
    assert retries > 0, "the client never met the dead node"
    assert new_master not in (master, None)
    assert after[0]["node"] == copies[1]["node"], "the replica must have been promoted"
    assert twice == []
    assert indexed == len(ids) == len(ingest.sent) >= 2500
    assert set(ids) == ingest.sent
