"""One monitor cycle's crawl, in a process of its own (``crawlers.monitor.cycle`` starts it).

    python -m crawlers.monitor.crawl_cycle '<json>'     (or ``-``: the JSON on stdin)

The JSON: ``plan`` (``CyclePlan.to_json()``), and optionally ``sources_file`` (default
``crawlers/sources.yaml``), ``overrides`` (Scrapy settings, e.g. ``{"DOWNLOAD_DELAY": 0}``),
``replay_base`` (serve every site from this local replay server, ``crawlers/replay.py``,
with the outside network blocked: tests and benchmarks) and ``out`` (a JSON Lines file
instead of Elasticsearch). Everything else comes from the environment as for ``vnopinion``
(``VNOPINION_*``): secrets never travel on the command line.

One CrawlerProcess runs a NewsSpider per source in ``plan.sources`` (entry points and that
source's planned threads) and, for a source with planned threads only, a NewsSpider that
re-polls them without reading its entry points. It prints exactly one line on stdout: the
``CycleReport`` as JSON, one ``SourceOutcome`` per source read from its crawler's stats.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider

from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome, ThreadPoll
from crawlers.run import crawl_failure, run_crawlers
from crawlers.sources import SOURCES_FILE, Source, load_sources
from crawlers.spiders.news import NewsSpider
from vnopinion.settings import Settings

log = logging.getLogger(__name__)
PREFIX = "vnopinion/"


def spider_jobs(
    plan: CyclePlan, sources: dict[str, Source]
) -> list[tuple[str, bool, dict[str, Any]]]:
    """(source key, reads its entry points, NewsSpider arguments) per crawler of the plan."""
    threads: dict[str, list[ThreadPoll]] = {}
    for thread in plan.threads:
        threads.setdefault(thread.source, []).append(thread)
    keys = list(dict.fromkeys(plan.sources))
    keys += [k for k in threads if k not in keys]
    unknown = [k for k in keys if k not in sources]
    if unknown:
        raise KeyError(f"unknown source(s) {unknown}; known: {', '.join(sorted(sources))}")
    jobs = []
    for key in keys:
        entry_points = key in plan.sources
        args = {"source": sources[key], "threads": threads.get(key, []),
                "entry_points": entry_points}  # fmt: skip
        jobs.append((key, entry_points, args))
    return jobs


def outcome_from_stats(source: str, entry_points: bool, stats: dict[str, Any]) -> SourceOutcome:
    """What one crawler did, from its Scrapy stats (the spider's and the pipeline's)."""

    def total(key: str) -> int:
        return int(stats.get(PREFIX + key, 0) or 0)

    def by_suffix(prefix: str) -> dict[str, int]:
        start = PREFIX + prefix
        return {k[len(start) :]: int(v) for k, v in stats.items() if k.startswith(start)}

    outcome = SourceOutcome(
        source=source,
        crawled_entry_points=entry_points,
        listed=total("listed"),
        articles=total("fetched/article"),
        comments=total("fetched/comment"),
        stored=total("stored"),
        indexed=sum(total(f"indexed/{k}") for k in ("created", "updated", "unchanged")),
        spooled=total("spooled"),
        failed=total("failed"),
        responses=int(stats.get("response_received_count", 0) or 0),
        http_errors=by_suffix("http_errors/"),
        blocked=total("blocked"),
        parse_failures=total("parse_failures"),
        network_errors=total("network_errors"),
        last_error=stats.get(PREFIX + "last_error"),
        last_error_kind=stats.get(PREFIX + "last_error_kind"),
        thread_comments=by_suffix("thread_comments/"),
    )
    failure = crawl_failure(stats)
    if failure is not None:  # e.g. its stores would not open: nothing of it ran
        outcome.last_error, outcome.last_error_kind = f"crawler failed: {failure}", "crash"
        return outcome
    # An exception in our own callbacks means a page we could not read: a parse failure.
    exceptions = int(stats.get("spider_exceptions/count", 0) or 0)
    if exceptions:
        outcome.parse_failures += exceptions
        if outcome.last_error is None:
            outcome.last_error = f"{exceptions} page(s) raised an error in the spider (see log)"
            outcome.last_error_kind = "parse"
    return outcome


def scrapy_overrides(args: dict[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = {"LOG_VERSIONS": []}
    if args.get("replay_base"):
        from crawlers.replay import BASE_SETTING

        overrides[BASE_SETTING] = str(args["replay_base"])
        overrides["DOWNLOADER_MIDDLEWARES"] = {"crawlers.replay.ToLocalSites": 60}
    if args.get("out"):
        overrides["VNOPINION_OUT"] = str(args["out"])
    overrides.update(args.get("overrides") or {})
    return overrides


@contextmanager
def _replay_guard(args: dict[str, Any]) -> Iterator[None]:
    """With a replay base, no connection may leave the machine (as in replay_crawl)."""
    if not args.get("replay_base"):
        yield
        return
    from crawlers.replay import outside_network_blocked

    with outside_network_blocked() as attempts:
        yield
    if attempts:
        log.warning("refused connections outside the machine: %s", sorted(set(attempts)))


def run(args: dict[str, Any], settings: Settings) -> CycleReport:
    """Crawl the plan in ``args`` (see the module docstring) in this process."""
    plan = CyclePlan.from_json(args["plan"])
    sources = load_sources(Path(args.get("sources_file") or SOURCES_FILE))
    jobs = spider_jobs(plan, sources)
    started = datetime.now(UTC)
    crawler_stats: list[dict[str, Any]] = []
    if jobs:
        with _replay_guard(args):
            spiders: list[tuple[type[Spider], dict[str, Any]]] = [
                (NewsSpider, spider_args) for _, _, spider_args in jobs
            ]
            crawler_stats = run_crawlers(settings, spiders, scrapy_overrides(args))
    outcomes = {}
    for (key, entry_points, _), stats in zip(jobs, crawler_stats, strict=True):
        outcomes[key] = outcome_from_stats(key, entry_points, stats)
    return CycleReport(plan.cycle_id, started, datetime.now(UTC), outcomes)


def _configure_logging(cycle_id: str | None) -> None:
    try:
        from crawlers.monitor.logs import (  # type: ignore[import-not-found,unused-ignore]
            configure_json_logging,
        )
    except ImportError:  # the lead's JSON logs have not landed: plain lines on stderr
        fmt = f"%(asctime)s %(levelname)s {cycle_id or '-'} %(name)s: %(message)s"
        logging.basicConfig(level=logging.INFO, format=fmt, stream=sys.stderr)
    else:
        configure_json_logging(cycle_id)


def die_with_parent(parent_pid: int | None) -> None:
    """A monitor killed outright must not leave its crawl running: the orphan would race the
    next monitor's crawl for the same pages. Linux kills this process when its parent dies
    (``PR_SET_PDEATHSIG``); a parent already gone by now means exit at once."""
    if parent_pid is None:
        return
    # Not Linux: no prctl, and the parent's process-group kill is what remains.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:
        os._exit(1)


def main(argv: list[str]) -> int:
    text = sys.stdin.read() if argv[1:] == ["-"] else argv[1]
    args = json.loads(text)
    die_with_parent(args.get("parent_pid"))
    _configure_logging(args.get("plan", {}).get("cycle_id"))
    report = run(args, Settings())
    # Only this line goes to stdout: the monitor reads the last line as the report.
    sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
