"""``vnopinion monitor``: the long-running service (``crawlers.monitor.service``).

Registered on the main group by ``vnopinion.cli``; Settings come from the group's context.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from indexer.errors import VnopinionError
from vnopinion.settings import Settings

__all__ = ["monitor"]


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None  # set by vnopinion.cli.main  # noqa: S101
    return settings


def _crawl_setting(values: tuple[str, ...]) -> dict[str, object]:
    """``NAME=VALUE`` pairs; a value that reads as JSON (numbers, true/false) is taken as such."""
    overrides: dict[str, object] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--crawl-setting")
        try:
            overrides[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            overrides[name.strip()] = value
    return overrides


def _print_status(ctx: click.Context, settings: Settings) -> None:
    from crawlers.monitor.status import read_status

    status = read_status(settings.data_dir)
    if status is None:
        raise VnopinionError(
            f"The monitor has not run with the data directory {settings.data_dir}.",
            hint="start it with `vnopinion monitor`, or set VNOPINION_DATA_DIR to its directory.",
        )
    click.echo(status.text)
    if status.broken:
        ctx.exit(2)


class _StopSignalError(Exception):
    """SIGTERM arrived: leave the loop the way Ctrl+C does."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopSignalError(signal.Signals(signum).name)


@click.command()
@click.option("--site", "sites", multiple=True,
              help="Only this source (key in the sources file; repeatable).")  # fmt: skip
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Sources file [crawlers/sources.yaml].")  # fmt: skip
@click.option("--interval", type=click.FloatRange(min=1), metavar="SECONDS",
              help="Visit every source this often, instead of its interval in the sources "
              "file (15 minutes by default).")  # fmt: skip
@click.option("--cycles", type=click.IntRange(min=1),
              help="Stop after this many cycles (default: run until stopped).")  # fmt: skip
@click.option("--crawl-setting", "crawl_settings", multiple=True, metavar="NAME=VALUE",
              help="Scrapy setting for the crawls (DOWNLOAD_DELAY=0: a local site).")  # fmt: skip
@click.option("--no-spike-alerts", is_flag=True,
              help="No spike alerts after each cycle (source alerts still go out).")  # fmt: skip
@click.option("--log-format", type=click.Choice(["json", "text"]), default="json",
              show_default=True, help="json: one object per line, with the cycle id.")  # fmt: skip
@click.option("--status", "show_status", is_flag=True,
              help="Print each source's health as the monitor last judged it, and exit "
              "(2 if a source is broken). Reads <data dir>/monitor.sqlite, also while "
              "the monitor runs.")  # fmt: skip
@click.pass_context
def monitor(
    ctx: click.Context,
    sites: tuple[str, ...],
    sources_file: Path | None,
    interval: float | None,
    cycles: int | None,
    crawl_settings: tuple[str, ...],
    no_spike_alerts: bool,
    log_format: str,
    show_status: bool,
) -> None:
    """Keep every source fresh: crawl each on its interval, follow comment threads while they
    are active, tag and index, raise alerts, and publish source health and metrics (for GET
    /sources and GET /metrics). A restart resumes where it stopped."""
    from crawlers.monitor.logs import configure_json_logging
    from crawlers.monitor.service import Monitor, MonitorOptions
    from crawlers.sources import SOURCES_FILE, load_sources

    settings = _settings(ctx)
    if show_status:
        _print_status(ctx, settings)
        return
    try:
        configured = load_sources(sources_file or SOURCES_FILE)
    except (OSError, ValueError) as exc:
        raise VnopinionError(
            f"Cannot read the sources file: {exc}", hint="compare it with crawlers/sources.yaml."
        ) from exc
    unknown = sorted(set(sites) - set(configured))
    if unknown:
        raise VnopinionError(f"Unknown source(s) {unknown}.",
                             hint=f"known: {', '.join(sorted(configured))}")  # fmt: skip
    chosen = {k: s for k, s in configured.items() if not sites or k in sites}
    if log_format == "json":
        configure_json_logging(level=logging.getLogger().level or logging.INFO)
    options = MonitorOptions(
        interval_s=interval,
        sources_file=sources_file,
        crawl_overrides=_crawl_setting(crawl_settings),
        spike_alerts=not no_spike_alerts,
    )
    service = Monitor(settings, chosen, options)
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        logging.getLogger("crawlers.monitor").info("loading the tagging models")
        service.ingest.start()  # once, before the first cycle
        service.run(max_cycles=cycles)
    except (KeyboardInterrupt, _StopSignalError) as exc:
        logging.getLogger("crawlers.monitor").info(
            "monitor stopped by %s", str(exc) or "Ctrl+C", extra={"signal": str(exc) or "SIGINT"}
        )
        sys.exit(0)
    finally:
        signal.signal(signal.SIGTERM, previous)
        service.close()
