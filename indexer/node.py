"""Run a local Elasticsearch node: configure, start, wait, stop, report.

One node per HTTP port, its config, data and logs under ``settings.es_node_dir``. As root
the node runs as a system user (Elasticsearch refuses root): the child process drops
to it, as ``runuser`` would. A node is single-node unless it is given a ``ClusterMember``
(``indexer.cluster`` starts several such nodes as one cluster).
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from indexer.errors import NodeError
from indexer.node_install import ensure_installed, find_java
from vnopinion.settings import Settings

log = logging.getLogger(__name__)

CLUSTER_NAME = "vnopinion"
LOG_TAIL_LINES = 30


@dataclass(frozen=True)
class ClusterMember:
    """A node's place in a multi-node cluster on this machine. The cluster name is what
    keeps clusters apart: a node joins only nodes of the same name, so two clusters started
    side by side (two tests) need two names."""

    cluster_name: str
    seed_hosts: tuple[str, ...]  # every node's transport address, host:port
    initial_master_nodes: tuple[str, ...]  # every node's name, for the first election


def node_name(http_port: int) -> str:
    return f"vnopinion-{http_port}"


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    pid: int | None
    url: str
    version: str | None = None
    health: str | None = None
    documents: int | None = None
    alias_present: bool = False


class LocalNode:
    """The local Elasticsearch node described by ``settings``."""

    def __init__(self, settings: Settings, cluster: ClusterMember | None = None) -> None:
        self.settings = settings
        self.cluster = cluster
        self.cluster_name = cluster.cluster_name if cluster else CLUSTER_NAME
        self.name = node_name(settings.es_port)
        self.dir = settings.es_node_dir
        self.config_dir = self.dir / "config"
        self.pid_file = self.dir / "es.pid"
        self.log_file = self.dir / "logs" / f"{self.cluster_name}.log"
        self.startup_log = self.dir / "logs" / "startup.log"

    # -- queries -------------------------------------------------------------------------

    def pid(self) -> int | None:
        """The node's pid if its process is alive (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if _is_elasticsearch_process(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> NodeStatus:
        pid = self.pid()
        url = self.settings.es_hosts[0]
        try:
            with self.http() as http:
                health = http.get("/_cluster/health").raise_for_status().json()["status"]
                nodes = http.get("/_nodes/_local", params={"filter_path": "nodes.*.version"})
                version = next(iter(nodes.raise_for_status().json()["nodes"].values()))["version"]
                alias = self.settings.index_alias
                present = http.head(f"/_alias/{alias}").status_code == 200
                count = http.get(f"/{alias}/_count").json()["count"] if present else 0
        except (httpx.HTTPError, KeyError, StopIteration):
            return NodeStatus(running=pid is not None, pid=pid, url=url)
        return NodeStatus(True, pid, url, version, health, count, present)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of the node's log (or of its startup output if there is no log)."""
        for path in (self.log_file, self.startup_log):
            if path.is_file() and path.stat().st_size:
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                return f"--- last {lines} lines of {path} ---\n" + "\n".join(text[-lines:])
        return f"(no log yet in {self.log_file.parent})"

    # -- start and stop ------------------------------------------------------------------

    def start(self) -> bool:
        """Start the node and wait until it is yellow or green. False if it already ran."""
        if self.pid() is not None:
            self.wait_ready()
            return False
        if self.settings.es_security and self.settings.es_password is None:
            raise NodeError(
                "Security is on (VNOPINION_ES_SECURITY=true) but no password is set.",
                hint="set VNOPINION_ES_PASSWORD (at least 6 characters).",
            )
        for port in (self.settings.es_port, self.settings.es_transport_port):
            _require_free_port(port)
        home = ensure_installed(self.settings.cache_dir, self.settings.es_version)
        java = find_java(self.settings.es_java_home)
        self._configure(home)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "ES_JAVA_HOME": str(java.path),
            "ES_PATH_CONF": str(self.config_dir),
            "ES_JAVA_OPTS": f"-Xms{self.settings.es_heap} -Xmx{self.settings.es_heap}",
        }
        if self.settings.es_security:
            self._write_keystore(home, env)
        cmd = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file)]
        log.info("Starting Elasticsearch %s on %s", self.settings.es_version, self.settings.es_url)
        with self.startup_log.open("w") as out:
            try:
                result = subprocess.run(
                    cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    timeout=self.settings.es_start_timeout_s, check=False, **self._node_user(),
                )  # fmt: skip
            except subprocess.TimeoutExpired as exc:
                self.stop()
                raise NodeError(
                    f"Elasticsearch did not start within {self.settings.es_start_timeout_s:.0f} s.",
                    hint="see the log below; raise VNOPINION_ES_START_TIMEOUT_S on slow disks.",
                    details=self.log_tail(),
                ) from exc
        if result.returncode != 0:
            raise NodeError(
                f"Elasticsearch failed to start (exit code {result.returncode}).",
                hint="read the log below; `vnopinion es logs` shows more.",
                details=self.log_tail(),
            )
        self.wait_ready()
        return True

    def wait_ready(self) -> None:
        """Block until ``_cluster/health`` reports yellow or green, or raise with the log tail."""
        deadline = time.monotonic() + self.settings.es_start_timeout_s
        last_error = ""
        while time.monotonic() < deadline:
            try:
                with self.http() as http:
                    response = http.get(
                        "/_cluster/health", params={"wait_for_status": "yellow", "timeout": "5s"}
                    )
                if response.status_code == 200 and response.json().get("timed_out") is False:
                    return
                last_error = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                last_error = str(exc)
            if self.pid() is None:
                break
            time.sleep(0.5)
        raise NodeError(
            f"Elasticsearch at {self.settings.es_url} is not ready ({last_error}).",
            hint="check the log below; if security is on, check VNOPINION_ES_PASSWORD.",
            details=self.log_tail(),
        )

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the node: SIGTERM, SIGKILL after ``timeout_s``. False if it was not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _is_elasticsearch_process(pid):
            time.sleep(0.2)
        if _is_elasticsearch_process(pid):
            log.warning("pid %d ignored SIGTERM for %.0f s; killing it", pid, timeout_s)
            os.kill(pid, signal.SIGKILL)
            while _is_elasticsearch_process(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """SIGKILL, as a crash would: no shutdown at all (for fault tests). False if it was
        not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        while _is_elasticsearch_process(pid):
            time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    # -- internals -----------------------------------------------------------------------

    def http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.settings.es_hosts[0], auth=self.settings.es_basic_auth, timeout=10.0
        )

    def _configure(self, home: Path) -> None:
        for sub in ("config", "data", "logs"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        for item in (home / "config").iterdir():
            target = self.config_dir / item.name
            if item.name == "elasticsearch.yml" or target.exists():
                continue
            if item.is_dir():
                shutil.copytree(item, target)
            else:
                shutil.copy2(item, target)
        (self.config_dir / "elasticsearch.yml").write_text(self._config_yaml())
        if os.geteuid() == 0:
            user = ensure_system_user(self.settings.es_system_user)
            for path in [self.dir, *self.dir.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
            _require_reachable(user, home / "bin" / "elasticsearch", self.dir / "config")

    def _config_yaml(self) -> str:
        s = self.settings
        security = "true" if s.es_security else "false"
        return "\n".join([
            "# Written by vnopinion on every start; edit settings, not this file.",
            f"cluster.name: {self.cluster_name}",
            f"node.name: {self.name}",
            *self._discovery_yaml(),
            "network.host: 127.0.0.1",
            f"http.port: {s.es_port}",
            f"transport.port: {s.es_transport_port}",
            f"path.data: {self.dir / 'data'}",
            f"path.logs: {self.dir / 'logs'}",
            # Explicit, which also skips TLS auto-configuration.
            f"xpack.security.enabled: {security}",
            "cluster.routing.allocation.disk.threshold_enabled: false",
            "action.destructive_requires_name: true",
            "",
        ])  # fmt: skip

    def _discovery_yaml(self) -> list[str]:
        if self.cluster is None:
            return ["discovery.type: single-node"]
        return [
            f"discovery.seed_hosts: {json.dumps(list(self.cluster.seed_hosts))}",
            f"cluster.initial_master_nodes: {json.dumps(list(self.cluster.initial_master_nodes))}",
        ]

    def _write_keystore(self, home: Path, env: dict[str, str]) -> None:
        """Security on: the keystore's ``bootstrap.password`` becomes the ``elastic`` password."""
        assert self.settings.es_password is not None  # noqa: S101 (checked in start)
        tool = str(home / "bin" / "elasticsearch-keystore")
        (self.config_dir / "elasticsearch.keystore").unlink(missing_ok=True)
        password = self.settings.es_password.get_secret_value()
        for args, stdin in ((["create"], None), (["add", "-x", "bootstrap.password"], password)):
            result = subprocess.run(
                [tool, *args], env=env, input=stdin, capture_output=True, text=True,
                check=False, **self._node_user(),
            )  # fmt: skip
            if result.returncode != 0:
                raise NodeError(
                    f"elasticsearch-keystore {args[0]} failed.",
                    hint="see the output below.",
                    details=(result.stdout + result.stderr)[-2000:],
                )

    def _node_user(self) -> dict[str, Any]:
        """subprocess arguments that drop root to the node's system user (ES refuses root)."""
        if os.geteuid() != 0:
            return {}
        user = pwd.getpwnam(self.settings.es_system_user)
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _is_elasticsearch_process(pid: int) -> bool:
    """True if ``pid`` is alive and is an Elasticsearch JVM (pids get reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"org.elasticsearch" in cmdline


def _require_free_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise NodeError(
                f"Port {port} on 127.0.0.1 is already in use ({exc.strerror}).",
                hint=f"stop whatever listens there (`ss -ltnp | grep :{port}`), or choose "
                "another port with VNOPINION_ES_URL=http://127.0.0.1:<port>.",
            ) from exc


def ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise NodeError(
            f"Could not create the system user {name!r} that runs Elasticsearch.",
            hint="create it yourself (useradd --system NAME) or run vnopinion as a normal user.",
            details=result.stderr,
        )
    return pwd.getpwnam(name)


def _require_reachable(user: pwd.struct_passwd, *paths: Path) -> None:
    for path in paths:
        probe = subprocess.run(
            ["/usr/bin/test", "-r", str(path)], user=user.pw_uid, group=user.pw_gid,
            extra_groups=[], check=False,
        )  # fmt: skip
        if probe.returncode != 0:
            raise NodeError(
                f"The system user {user.pw_name!r} cannot reach {path}.",
                hint="make its parent folders traversable (chmod o+x) or set "
                "VNOPINION_DATA_DIR / VNOPINION_CACHE_DIR to folders under /var/lib or /srv.",
            )
