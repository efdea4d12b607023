"""``vnopinion alerts`` and ``vnopinion report``: what vnopinion tells people (``reports/``).

Registered on the main group by ``vnopinion.cli``; Settings come from the group's context.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from elasticsearch import ApiError, TransportError

from indexer.errors import VnopinionError
from indexer.filters import FilterError, parse_bound
from vnopinion.settings import Settings

if TYPE_CHECKING:
    from reports.alerts import AlertReport

__all__ = ["alerts", "report"]


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None  # set by vnopinion.cli.main  # noqa: S101
    return settings


@contextmanager
def elasticsearch_errors(settings: Settings) -> Iterator[None]:
    """Elasticsearch away or refusing a read: a named failure, not a stack trace."""
    try:
        yield
    except ApiError as exc:
        hint = "check the alias name (VNOPINION_INDEX_ALIAS) and the credentials."
        if exc.meta.status == 404:
            hint = "nothing is indexed under this alias yet: crawl or index first."
        raise VnopinionError(
            f"Elasticsearch refused the query on {settings.index_alias!r}: {exc.message}",
            hint=hint,
        ) from exc
    except TransportError as exc:
        raise VnopinionError(
            f"Elasticsearch at {settings.es_url} did not answer: {type(exc).__name__}",
            hint="start it (`vnopinion es start`) or set VNOPINION_ES_URL.",
        ) from exc


def _until(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_bound("until", value, end=True)
    except FilterError as exc:
        raise VnopinionError(
            f"--until {value!r}: give a date (YYYY-MM-DD, Vietnam time) or an ISO 8601 time.",
            hint="e.g. --until 2026-11-25 checks up to the end of that day.",
        ) from exc


@click.command()
@click.option("--interval", type=click.Choice(["hour", "day", "week", "month"]), default="day",
              show_default=True, help="Length of each bucket.")  # fmt: skip
@click.option("--lookback", type=click.IntRange(7, 365), default=28, show_default=True,
              help="Buckets before each one that form its baseline.")  # fmt: skip
@click.option("--recent", type=click.IntRange(1, 7), default=2, show_default=True,
              help="Latest buckets tested (2: today and yesterday).")  # fmt: skip
@click.option("--threshold", type=click.FloatRange(1, 100), default=3.5, show_default=True,
              help="Robust z-score a bucket must reach.")  # fmt: skip
@click.option("--min-count", type=click.IntRange(1), default=10, show_default=True,
              help="Fewest documents in a spiking bucket.")  # fmt: skip
@click.option("--documents", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Most engaged documents sent with each spike.")  # fmt: skip
@click.option("--until", help="Check as of this time instead of now (YYYY-MM-DD or ISO 8601).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.pass_context
def alerts(
    ctx: click.Context,
    interval: str,
    lookback: int,
    recent: int,
    threshold: float,
    min_count: int,
    documents: int,
    until: str | None,
    dry_run: bool,
) -> None:
    """Send each new spike once: to the alert log, and to the webhook if one is set."""
    from indexer.client import make_client
    from indexer.spikes import SpikeParams
    from reports.alerts import run_alerts
    from vnopinion.vocabulary import load_vocabulary

    settings = _settings(ctx)
    params = SpikeParams(
        interval=interval, lookback=lookback, recent=recent, threshold=threshold,  # type: ignore[arg-type]
        min_count=min_count, documents=documents,
    )  # fmt: skip
    with make_client(settings) as client, elasticsearch_errors(settings):
        report = run_alerts(
            settings, client, load_vocabulary(), params, dry_run=dry_run, until=_until(until)
        )
    click.echo(f"{len(report.alerts)} spikes found.")
    if dry_run:
        _print_dry_run(report)
    else:
        _print_delivery(report, settings)
    if report.webhook is None:
        click.echo("No webhook set (VNOPINION_ALERTS_WEBHOOK_URL): only the log is written.")


def _print_dry_run(report: AlertReport) -> None:
    from reports.alerts import payload_of

    channels = [("log", report.log), ("webhook", report.webhook)]
    for alert in report.alerts:
        pending = [name for name, result in channels if result and alert.key in result.sent]
        if not pending:
            click.echo(f"Already sent: {alert.message}")
            continue
        click.echo(f"Would send to {' and '.join(pending)}: {alert.message}")
        click.echo(json.dumps(payload_of(alert), ensure_ascii=False, indent=2))


def _print_delivery(report: AlertReport, settings: Settings) -> None:
    """What went where; a webhook failure raises after the summary (exit 1)."""
    from reports.webhook import safe_url

    for alert in report.alerts:
        new = alert.key in report.log.sent or (report.webhook and alert.key in report.webhook.sent)
        click.echo(f"{'new ' if new else 'sent'}  {alert.message}")
    logged = report.log
    click.echo(f"Log {report.log_path}: {len(logged.sent)} written, "
               f"{len(logged.already)} written before.")  # fmt: skip
    posted, url = report.webhook, settings.alerts_webhook_url
    if posted is None or url is None:
        return
    click.echo(f"Webhook {safe_url(url.get_secret_value())}: {len(posted.sent)} sent, "
               f"{len(posted.already)} sent before, {len(posted.failed)} failed.")  # fmt: skip
    if posted.failed:
        reason = next(iter(posted.failed.values()))
        raise VnopinionError(
            f"The webhook did not take {len(posted.failed)} alert(s): {reason}",
            hint="check the receiver and VNOPINION_ALERTS_WEBHOOK_URL; the next "
            "`vnopinion alerts` sends them again (the log already has them).",
            details="\n".join(f"  {key}" for key in posted.failed),
        )


@click.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: last week, Vietnam time).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML report here.")  # fmt: skip
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Also print it to this PDF (needs Chromium).")  # fmt: skip
@click.pass_context
def report(ctx: click.Context, week: str | None, out: Path | None, pdf: Path | None) -> None:
    """Write the weekly report "Báo cáo tình hình dư luận" (HTML, and PDF with --pdf)."""
    from indexer.client import make_client
    from reports.pdf import find_chromium, print_pdf
    from reports.render import render_weekly
    from reports.weekly import weekly_report
    from reports.weeks import last_full_week, parse_week
    from vnopinion.vocabulary import load_vocabulary

    settings = _settings(ctx)
    chosen = parse_week(week) if week is not None else last_full_week()
    if out is None and pdf is None:
        raise VnopinionError(
            "Say where to write the report: --out FILE.html, --pdf FILE.pdf, or both.",
            hint=f"e.g. vnopinion report --week {chosen.iso} --out report.html --pdf report.pdf",
        )
    chromium = find_chromium(settings.chromium) if pdf is not None else None
    with make_client(settings) as client, elasticsearch_errors(settings):
        found = weekly_report(client, settings.index_alias, chosen, load_vocabulary())
    html = render_weekly(found)
    with tempfile.TemporaryDirectory(prefix="vnopinion-report-") as scratch:
        html_file = out or Path(scratch) / f"report-{chosen.iso}.html"
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(html, encoding="utf-8")
        if out is not None:
            click.echo(f"Wrote {out}")
        if pdf is not None and chromium is not None:
            print_pdf(html_file, pdf, chromium)
            click.echo(f"Wrote {pdf}")
    counts = found.current.counts
    click.echo(
        f"Week {chosen.iso} ({chosen.monday:%d/%m/%Y} - {chosen.sunday:%d/%m/%Y}): "
        f"{counts.count} documents, {len(found.spikes)} spikes"
        + (" (no data this week)." if found.empty else ".")
    )
