"""A crawl frontier shared by several crawler processes, in Redis (scrapy-redis).

With ``crawl_frontier`` set, every process crawling a source takes its requests from one
Redis queue and checks one set of request fingerprints, so processes started on the same
source split its pages and no page is fetched twice in a run. Our spiders stay as they are
(no ``RedisSpider``): each process runs the spider's own ``start()`` (feeds and sitemaps are
``dont_filter`` and so read by every process), and the article requests they yield meet in
the shared dupefilter, where the first process to see a URL wins it.

The frontier lasts one run. The processes of a run register in Redis with a heartbeat; the
first to join a frontier nobody is alive in clears what a killed run left there, and the last
to leave clears the queue and the fingerprints. What is done across runs stays in the crawl
state (``crawlers/state.py``, recorded only once a document is stored): a request a killed
process had taken is lost to this run but, never recorded as stored, is fetched by the next.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any
from urllib.parse import urlsplit

from redis import Redis, RedisError
from scrapy import Spider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from indexer.errors import VnopinionError
from vnopinion.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_S = 10.0
# A process silent this long is taken for dead (killed): a new run may then clear its frontier.
ALIVE_TTL_S = 30

# KEYS: workers set, queue, fingerprints. ARGV: heartbeat key prefix, this worker (or "").
# Drops the workers whose heartbeat expired; returns how many are left alive.
_PRUNE = """
local live = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. worker) == 1 then live = live + 1
  else redis.call('SREM', KEYS[1], worker) end
end
"""
JOIN = (
    _PRUNE
    + """
local cleared = 0
if live == 0 then cleared = redis.call('DEL', KEYS[2], KEYS[3]) end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('SET', ARGV[1] .. ARGV[2], '1', 'EX', ARGV[3])
return cleared
"""
)
LEAVE = (
    """
redis.call('SREM', KEYS[1], ARGV[2])
redis.call('DEL', ARGV[1] .. ARGV[2])
"""
    + _PRUNE
    + """
if live == 0 then redis.call('DEL', KEYS[2], KEYS[3]) return 1 end
return 0
"""
)


def frontier_overrides(settings: Settings) -> dict[str, Any]:
    """Scrapy settings that replace the in-process scheduler with the shared one."""
    if settings.crawl_frontier is None:
        return {}
    prefix = settings.crawl_frontier_key
    return {
        "SCHEDULER": "crawlers.frontier.SharedFrontier",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": settings.crawl_frontier.get_secret_value(),
        # SharedFrontier clears the frontier itself, when the last process of a run leaves.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:seen",
    }


def check_frontier(settings: Settings) -> None:
    """Fail before crawling, with a hint, when the frontier's Redis does not answer."""
    assert settings.crawl_frontier is not None  # noqa: S101 (callers check)
    url = settings.crawl_frontier.get_secret_value()
    try:
        with Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5) as server:
            server.ping()
    except RedisError as exc:
        parts = urlsplit(url)  # named without the password the URL may hold
        where = f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else parts.path
        raise VnopinionError(
            f"The crawl frontier's Redis at {where} did not answer: {type(exc).__name__}.",
            hint="start redis-server (scripts/system-deps.sh --with-redis installs it) or "
            "unset VNOPINION_CRAWL_FRONTIER to crawl in one process.",
        ) from exc


class SharedFrontier(Scheduler):
    """scrapy-redis's scheduler, with run membership (see the module docstring)."""

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.workers_key = f"{self.queue.key.rsplit(':', 1)[0]}:workers"
        cleared = self._run(JOIN, ALIVE_TTL_S)
        if cleared:
            log.info("%s: cleared a frontier left by a stopped run", spider.name)
        log.info("%s: joined the shared frontier %s", spider.name, self.queue.key)
        self.beat = task.LoopingCall(self._heartbeat)
        self.beat.start(HEARTBEAT_S, now=False)

    def close(self, reason: str) -> None:
        if self.beat.running:
            self.beat.stop()
        if self._run(LEAVE):
            log.info("%s: last process out, frontier cleared", self.spider.name)

    def _heartbeat(self) -> None:
        server: Redis = self.server
        server.set(f"{self.workers_key}:{self.worker}", "1", ex=ALIVE_TTL_S)

    def _run(self, script: str, *extra: int) -> int:
        server: Redis = self.server
        keys = [self.workers_key, self.queue.key, self.df.key]
        args: list[str | int] = [f"{self.workers_key}:", self.worker, *extra]
        return int(server.eval(script, len(keys), *keys, *args))
