"""Spike alerts: find new spikes (``indexer.spikes``) and deliver each once per channel.

Channels: ``log`` (a JSON Lines file, always) and ``webhook`` (an HTTP POST of the same JSON,
when ``alerts_webhook_url`` is set). ``alert_state`` records what went where: a spike is
recorded for the webhook only after a 2xx answer, so a failure is retried on the next run,
while the log gets each spike exactly once whatever the webhook does. ``run_alerts`` is the
one entry point, for the ``vnopinion alerts`` command and a long-running monitor alike.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field

from indexer.filters import VN_TZ, Filters, Vocabulary
from indexer.spikes import Spike, SpikeParams, find_spikes
from reports.alert_context import SpikeContext, spike_contexts
from reports.alert_state import DeliveryState
from reports.vi import bucket_label, decimal, number
from reports.webhook import WebhookError, post_alert
from vnopinion.settings import Settings

__all__ = [
    "ALERT_PARAMS",
    "Alert",
    "AlertDocument",
    "AlertReport",
    "ChannelResult",
    "Deliverable",
    "alert_message",
    "deliver",
    "find_alerts",
    "payload_of",
    "run_alerts",
]

LOG, WEBHOOK = "log", "webhook"
# Today and yesterday: a spike that only passes late in the day is still caught by a run
# after midnight, and each bucket's key is delivered once however often it is seen.
ALERT_PARAMS = SpikeParams(recent=2)


class AlertDocument(BaseModel):
    """A document behind a spike. Commenters appear only as their pseudonym, never by name."""

    id: str
    kind: str
    title: str | None
    url: str
    source_name: str | None
    published_at: datetime | None
    author_id: str | None
    likes: int | None
    replies: int | None
    sentiment: str | None
    snippet: str


class Alert(BaseModel):
    """What is sent and logged for one spike."""

    key: str = Field(description="the spike's stable key: receivers can drop repeats by it")
    message: str
    dimension: str
    value: str
    label: str
    kind: str
    interval: str
    bucket_start: datetime
    bucket_end: datetime
    count: int
    baseline_median: float
    baseline_mad: float
    z: float
    series: list[int]
    topic: str | None = Field(description="the watch topic (key) of the spike or of most of it")
    topic_label: str | None
    province: str | None = Field(description="the province of the spike or of most of it")
    documents: list[AlertDocument]
    detected_at: datetime


@dataclass
class ChannelResult:
    """Keys sent (or, in a dry run, to be sent), already sent earlier, and failed (reason)."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class AlertReport:
    alerts: list[Alert]
    log: ChannelResult
    webhook: ChannelResult | None  # None: no webhook configured
    log_path: Path
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.log.failed and not (self.webhook and self.webhook.failed)


def alert_message(spike: Spike, context: SpikeContext) -> str:
    """One Vietnamese line, e.g. ``Tăng đột biến tin bài và bình luận tiêu cực về Đất đai ở
    Thành phố Hà Nội: 12 so với trung vị 0 (ngày 25/11/2026)``."""
    negative = spike.kind == "negative"
    what = "tin bài và bình luận tiêu cực" if negative else "số tin bài và bình luận"
    about = f" về {context.topic_label}" if context.topic_label else ""
    where = f" ở {context.province}" if context.province else ""
    when = bucket_label(spike.bucket_start, spike.bucket_end, spike.interval)
    return (
        f"Tăng đột biến {what}{about}{where}: {number(spike.count)} "
        f"so với trung vị {decimal(spike.baseline_median)} ({when})"
    )


def _alert(spike: Spike, context: SpikeContext, detected_at: datetime) -> Alert:
    documents = [
        AlertDocument(**doc.model_dump(exclude={"snippet"}), snippet=doc.snippet)
        for doc in spike.documents
    ]
    return Alert(
        **spike.model_dump(exclude={"documents"}),
        message=alert_message(spike, context),
        topic=context.topic,
        topic_label=context.topic_label,
        province=context.province,
        documents=documents,
        detected_at=detected_at,
    )


def find_alerts(
    client: Elasticsearch,
    alias: str,
    vocabulary: Vocabulary,
    params: SpikeParams,
    *,
    until: datetime | None = None,
    now: datetime | None = None,
) -> list[Alert]:
    """Every spike in the latest ``params.recent`` buckets, as alerts (sent or not)."""
    detected_at = (now or datetime.now(VN_TZ)).astimezone(VN_TZ)
    found = find_spikes(client, alias, Filters(until=until), vocabulary, params, now=detected_at)
    contexts = spike_contexts(client, alias, found.spikes, vocabulary)
    return [_alert(s, c, detected_at) for s, c in zip(found.spikes, contexts, strict=True)]


class Deliverable(Protocol):
    """Anything sent as an alert: a spike (``Alert``) or a source's health (the monitor's
    ``SourceHealthAlert``). ``key`` is stable: each key goes to each channel once."""

    key: str

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


def payload_of(alert: Deliverable) -> dict[str, Any]:
    """The JSON body sent to the webhook, and the log's line."""
    return alert.model_dump(mode="json")


def _append_line(path: Path, alert: Deliverable) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(payload_of(alert), ensure_ascii=False)
    with path.open("a", encoding="utf-8") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


def _deliver(
    state: DeliveryState,
    alerts: Sequence[Deliverable],
    log_path: Path,
    webhook: tuple[httpx.Client, str] | None,
) -> tuple[ChannelResult, ChannelResult | None]:
    logged = ChannelResult()
    posted = ChannelResult() if webhook else None
    stopped: str | None = None  # the first webhook failure: the rest are not tried this run
    for alert in alerts:
        with state.claim(alert.key, LOG) as claim:
            if claim.pending:
                _append_line(log_path, alert)
                claim.done()
            (logged.sent if claim.pending else logged.already).append(alert.key)
        if webhook is None or posted is None:
            continue
        with state.claim(alert.key, WEBHOOK) as claim:
            if not claim.pending:
                posted.already.append(alert.key)
            elif stopped:
                posted.failed[alert.key] = f"not tried after an earlier failure ({stopped})"
            else:
                try:
                    post_alert(webhook[0], webhook[1], payload_of(alert))
                except WebhookError as failure:
                    stopped = failure.reason
                    posted.failed[alert.key] = failure.reason
                else:
                    claim.done()
                    posted.sent.append(alert.key)
    return logged, posted


def _dry_run(
    state: DeliveryState, alerts: Sequence[Alert], log_path: Path, webhook: bool
) -> AlertReport:
    results = {channel: ChannelResult() for channel in (LOG, WEBHOOK)}
    for alert in alerts:
        for channel, result in results.items():
            done = state.delivered(alert.key, channel)
            (result.already if done else result.sent).append(alert.key)
    posted = results[WEBHOOK] if webhook else None
    return AlertReport(list(alerts), results[LOG], posted, log_path, dry_run=True)


def run_alerts(
    settings: Settings,
    client: Elasticsearch,
    vocabulary: Vocabulary,
    params: SpikeParams = ALERT_PARAMS,
    *,
    dry_run: bool = False,
    until: datetime | None = None,
    now: datetime | None = None,
    http: httpx.Client | None = None,
) -> AlertReport:
    """Find the spikes up to ``until`` (default now) and deliver the new ones: each once to the
    log, and once to the webhook if one is configured. ``dry_run`` sends and records nothing
    and reports what would go where. A webhook failure does not raise: it is in the report
    (``ok`` is False) and the spike is tried again on the next run."""
    alerts = find_alerts(client, settings.index_alias, vocabulary, params, until=until, now=now)
    url = settings.alerts_webhook_url
    if dry_run:
        with DeliveryState(settings.alerts_state_path) as state:
            return _dry_run(state, alerts, settings.alerts_log_path, url is not None)
    logged, posted = deliver(settings, alerts, http=http)
    return AlertReport(alerts, logged, posted, settings.alerts_log_path)


def deliver(
    settings: Settings, alerts: Sequence[Deliverable], *, http: httpx.Client | None = None
) -> tuple[ChannelResult, ChannelResult | None]:
    """Each alert once to the log and, when one is configured, once to the webhook (log and
    webhook results; the webhook's is None without one)."""
    url = settings.alerts_webhook_url
    with DeliveryState(settings.alerts_state_path) as state:
        if url is None:
            return _deliver(state, alerts, settings.alerts_log_path, None)
        own = http is None
        http = http or httpx.Client(timeout=settings.alerts_webhook_timeout_s)
        try:
            target = (http, url.get_secret_value())
            return _deliver(state, alerts, settings.alerts_log_path, target)
        finally:
            if own:
                http.close()
