"""Run one cycle's crawl in a child process and get its ``CycleReport``, whatever happens.

Scrapy's reactor cannot restart, and a crawl that hangs or dies must not take the monitor
with it, so each cycle is ``python -m crawlers.monitor.crawl_cycle`` in a process group of
its own: on timeout, or when the monitor itself is stopped, the whole group (the crawl and
any tagging workers it started) is killed. A child that dies or prints no report still
yields a report, marked ``crashed``, with an outcome per planned source so each source's
health records the failure.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import SecretStr

from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome
from vnopinion.settings import Settings

__all__ = ["crash_report", "run_cycle", "settings_env"]

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]
ENV_PREFIX = "VNOPINION_"
STDERR_TAIL_LINES = 20
KILL_GRACE_S = 10.0  # after SIGTERM (Scrapy's graceful stop) before SIGKILL


def settings_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child that must build these very ``settings`` (``Settings()``).

    ``base`` (default: this process's environment) loses its ``VNOPINION_*`` variables
    first; every setting that is not None is then written as pydantic-settings reads it
    (secrets in clear: the environment is private to the child, the command line is not).
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.upper().startswith(ENV_PREFIX)}  # fmt: skip
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        env[f"{ENV_PREFIX}{name.upper()}"] = _env_value(value)
    return env


def _env_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def run_cycle(
    settings: Settings,
    plan: CyclePlan,
    *,
    sources_file: Path | None = None,
    timeout_s: float = 900,
    overrides: dict[str, Any] | None = None,
    extra_args: dict[str, Any] | None = None,
) -> CycleReport:
    """Crawl ``plan`` in a child process; never raises for the child's failures.

    ``overrides``: Scrapy settings; ``extra_args``: more keys for the child's JSON
    (``replay_base``, ``out``: see ``crawlers.monitor.crawl_cycle``). A KeyboardInterrupt or
    SystemExit while waiting kills the child's process group and is raised again.
    """
    args: dict[str, Any] = {"plan": plan.to_json(), "overrides": overrides or {},
                            "parent_pid": os.getpid(), **(extra_args or {})}  # fmt: skip
    if sources_file is not None:
        args["sources_file"] = str(sources_file)
    started = datetime.now(UTC)
    if not plan.sources and not plan.threads:
        return CycleReport(plan.cycle_id, started, datetime.now(UTC), {})  # nothing to crawl
    child = subprocess.Popen(
        [sys.executable, "-m", "crawlers.monitor.crawl_cycle", "-"],
        cwd=REPO, env=settings_env(settings), start_new_session=True, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    log.info("cycle %s: crawl process %d started", plan.cycle_id, child.pid)
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    stdout: list[str] = []
    pipes = [
        threading.Thread(target=_feed, args=(child.stdin, json.dumps(args)), daemon=True),
        threading.Thread(target=_collect, args=(child.stdout, stdout), daemon=True),
        threading.Thread(target=_relay, args=(child.stderr, tail), daemon=True),
    ]
    for pipe in pipes:
        pipe.start()
    try:
        child.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_group(child)
        _join(pipes)
        reason = f"over {timeout_s:g} s"
        log.error("cycle %s: crawl killed, %s", plan.cycle_id, reason)
        return crash_report(plan, started, reason)
    except BaseException:  # KeyboardInterrupt, SystemExit: the monitor is stopping
        kill_group(child)
        raise
    _join(pipes)
    report = _parse_report("".join(stdout))
    if report is None:
        # Whatever it started (tagging workers) must not outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        reason = f"exit code {child.returncode}, no report"
        if tail:
            reason += ": " + "\n".join(tail)
        log.error("cycle %s: crawl process failed (%s)", plan.cycle_id, reason)
        return crash_report(plan, started, reason)
    if child.returncode != 0:
        log.warning("cycle %s: exit code %d after the report", plan.cycle_id, child.returncode)
    # Wall time as the monitor saw it, process start-up included.
    report.started_at, report.finished_at = started, datetime.now(UTC)
    return report


def crash_report(plan: CyclePlan, started_at: datetime, reason: str) -> CycleReport:
    """A cycle whose crawl died: every planned source failed with ``reason``."""
    outcomes = {}
    for key, entry_points in _planned_sources(plan):
        outcomes[key] = SourceOutcome(
            source=key, crawled_entry_points=entry_points,
            last_error=f"crawl process crashed: {reason}"[:2000], last_error_kind="crash",
        )  # fmt: skip
    return CycleReport(plan.cycle_id, started_at, datetime.now(UTC), outcomes, crashed=reason)


def _planned_sources(plan: CyclePlan) -> Iterable[tuple[str, bool]]:
    """(source, its entry points were due) for every source the plan touches."""
    keys = list(dict.fromkeys(plan.sources))
    for key in keys:
        yield key, True
    for key in dict.fromkeys(t.source for t in plan.threads):
        if key not in keys:
            yield key, False


def kill_group(child: subprocess.Popen[str], grace_s: float = KILL_GRACE_S) -> None:
    """SIGTERM the child's process group (Scrapy stops gracefully), SIGKILL what is left."""
    pgid = child.pid  # start_new_session: the child leads its own group
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 30.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        try:
            child.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(pgid):
            break
    # The group's other members (tagging workers) may outlive the leader for a moment.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    child.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _feed(stream: IO[str] | None, text: str) -> None:
    if stream is None:
        return
    try:
        stream.write(text)
        stream.close()
    except OSError:  # the child died before reading its plan
        pass


def _collect(stream: IO[str] | None, lines: list[str]) -> None:
    if stream is None:
        return
    lines.extend(stream)
    stream.close()


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=5)


def _relay(stream: IO[str] | None, tail: deque[str]) -> None:
    """Pass the child's log lines on to ours (stderr) and keep the last ones for a crash."""
    if stream is None:
        return
    for line in stream:
        tail.append(line.rstrip("\n"))
        sys.stderr.write(line)
    stream.close()


def _parse_report(stdout: str | None) -> CycleReport | None:
    for line in reversed((stdout or "").splitlines()):
        if not line.strip():
            continue
        try:
            return CycleReport.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError):
            return None
    return None
