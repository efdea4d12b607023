"""The client spreads requests over a cluster's nodes and fails over when one is down."""

from __future__ import annotations

import pytest

from indexer.client import make_client
from indexer.node import LocalNode
from tests.conftest import free_port
from vnopinion.settings import Settings


def test_every_configured_node_is_in_the_pool() -> None:
    settings = Settings(_env_file=None, es_url="http://es1:9200,http://es2:9200")  # type: ignore[call-arg]
    with make_client(settings) as client:
        pool = {str(node.config.host) for node in client.transport.node_pool.all()}
    assert pool == {"es1", "es2"}


@pytest.mark.es
def test_a_node_that_is_down_is_skipped(es_node: LocalNode, es_settings: Settings) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = es_settings.model_copy(update={"es_url": f"{down},{es_settings.es_url}"})
    with make_client(settings) as client:
        for _ in range(6):  # round-robin reaches the dead node, then sets it aside
            assert client.cluster.health()["status"] in ("green", "yellow")
