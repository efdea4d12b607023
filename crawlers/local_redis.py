"""A throwaway redis-server on 127.0.0.1 for the scale-out tests and benchmark.

Never used by a production crawl: there, ``crawl_frontier`` names a Redis someone runs.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis, RedisError

START_TIMEOUT_S = 20.0


class RedisMissingError(RuntimeError):
    """No redis-server on PATH (Debian: scripts/system-deps.sh --with-redis)."""


def redis_server_path() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise RedisMissingError(
            "redis-server is not installed (scripts/system-deps.sh --with-redis, or "
            "apt-get install redis-server)"
        )
    return path


@contextmanager
def local_redis(folder: Path) -> Iterator[str]:
    """Start redis-server on a free port with its files in ``folder``; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "redis.log").open("w")
    # No snapshots and no append-only file: a frontier lives for one run.
    process = subprocess.Popen(
        [redis_server_path(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {process.returncode}")
        try:
            with Redis.from_url(url, socket_connect_timeout=1) as server:
                server.ping()
            return
        except RedisError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server at {url} not ready after {START_TIMEOUT_S} s"
                ) from exc
            time.sleep(0.05)
