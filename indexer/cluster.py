"""Several local Elasticsearch nodes as one cluster (fault tests, trying out replicas).

The nodes are the ones ``settings.es_url`` lists (comma-separated, as a client of a real
cluster is configured), all on this machine: each is a ``LocalNode`` of its own with its
HTTP port, transport port (HTTP + 100) and folder, and discovers the others through their
transport ports. They start at once: a node that starts alone waits for a master before
its start returns.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from indexer.errors import NodeError
from indexer.node import ClusterMember, LocalNode, ensure_system_user, node_name
from indexer.node_install import ensure_installed
from vnopinion.settings import Settings

log = logging.getLogger(__name__)


class LocalCluster:
    """The nodes of ``settings.es_hosts`` as the cluster ``cluster_name``."""

    def __init__(self, settings: Settings, cluster_name: str) -> None:
        self.settings = settings
        node_settings = [settings.model_copy(update={"es_url": url}) for url in settings.es_hosts]
        member = ClusterMember(
            cluster_name=cluster_name,
            seed_hosts=tuple(f"127.0.0.1:{s.es_transport_port}" for s in node_settings),
            initial_master_nodes=tuple(node_name(s.es_port) for s in node_settings),
        )
        self.nodes = [LocalNode(s, member) for s in node_settings]

    def start(self) -> None:
        """Start every node at once and wait until all of them form the cluster."""
        ensure_installed(self.settings.cache_dir, self.settings.es_version)  # once, not racing
        if os.geteuid() == 0:
            ensure_system_user(self.settings.es_system_user)
        self._each(LocalNode.start)
        self.wait_for_health("green")

    def stop(self) -> None:
        """Stop every node still running (a killed one is skipped)."""
        self._each(LocalNode.stop)

    def node(self, name: str) -> LocalNode:
        return next(n for n in self.nodes if n.name == name)

    def health(self, index: str | None = None, **params: str) -> dict[str, Any]:
        """``_cluster/health`` (of ``index``, if given) from the first node that answers."""
        path = f"/_cluster/health/{index}" if index else "/_cluster/health"
        last: Exception | None = None
        for node in self.nodes:
            try:
                with node.http() as http:
                    response = http.get(path, params=params)
                if response.status_code in (200, 408):  # 408: a wait_for_* timed out
                    body: dict[str, Any] = response.json()
                    return body
                last = NodeError(f"HTTP {response.status_code}: {response.text[:200]}")
            except httpx.HTTPError as exc:
                last = exc
        raise NodeError(f"No node of the cluster answers ({last}).")

    def wait_for_health(
        self, status: str, index: str | None = None, **params: str
    ) -> dict[str, Any]:
        """Block until every node has joined and ``index`` (or the cluster) is ``status``
        (and any other ``wait_for_*`` in ``params`` holds)."""
        deadline = time.monotonic() + self.settings.es_start_timeout_s
        health: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                health = self.health(
                    index, wait_for_nodes=str(len(self.nodes)), wait_for_status=status,
                    timeout="5s", **params,
                )  # fmt: skip
            except NodeError as exc:
                health = {"error": str(exc)}
            if health.get("timed_out") is False:
                return health
            time.sleep(0.5)
        raise NodeError(
            f"The cluster did not reach {len(self.nodes)} nodes and {status} "
            f"within {self.settings.es_start_timeout_s:.0f} s (last answer: {health}).",
            hint="see the logs below; raise VNOPINION_ES_START_TIMEOUT_S on a busy machine.",
            details="\n".join(n.log_tail(10) for n in self.nodes),
        )

    def _each(self, action: Callable[[LocalNode], object]) -> None:
        with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
            for future in [pool.submit(action, n) for n in self.nodes]:
                future.result()
