"""``vnopinion feedback``: what analysts corrected, for the people who keep the models and
the watch-topic rules. Registered on the main group by ``vnopinion.cli``; ``load_corrections``
also feeds ``vnopinion train --with-feedback``.

- ``export --out FILE.jsonl``: the latest correction of each document as a row in
  data/indomain's format (``id``, ``kind``, ``text``, ``label``/``sentiment``, ``topics``,
  ``style``), to review, add to the in-domain corpus, or score with ``vnopinion eval``.
- ``report``: per watch topic, how often analysts added it where the rules had missed it and
  removed it where the rules had wrongly matched (against the labels at correction time),
  with a few document ids each: where ``nlp/topics.yaml`` needs work.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import click
from elasticsearch import ApiError, TransportError

from indexer.client import make_client
from indexer.corrections import Correction, CorrectionStore
from indexer.errors import VnopinionError
from vnopinion.settings import Settings

__all__ = ["export_row", "feedback", "load_corrections", "topic_report"]

EXAMPLES = 3  # document ids shown per topic and direction


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None  # set by vnopinion.cli.main  # noqa: S101
    return settings


def load_corrections(settings: Settings) -> list[Correction]:
    """The latest correction of every corrected document, by document id."""
    try:
        with make_client(settings) as client:
            return CorrectionStore(client, settings.corrections_index).latest_all()
    except (TransportError, ApiError) as exc:
        raise VnopinionError(
            f"Could not read the corrections from Elasticsearch ({settings.corrections_index}).",
            hint="start Elasticsearch (`vnopinion es status`) or check VNOPINION_ES_URL.",
            details=str(exc),
        ) from exc


def export_row(correction: Correction) -> dict[str, object]:
    """One corrected document in data/indomain's row format (plus who, when, and what the
    model said). Without a sentiment correction, the model's label stands, flagged."""
    from nlp.text import model_input

    snap = correction.snapshot
    label = correction.sentiment or snap.model_sentiment
    topics = snap.model_watch_topics if correction.watch_topics is None else correction.watch_topics
    return {
        "id": correction.document_id,
        "kind": snap.kind,
        "text": model_input(snap.title, snap.lead, snap.text),
        "label": label,
        "sentiment": label,
        "topics": list(topics),
        "style": [],
        "sentiment_corrected": correction.sentiment is not None,
        "topics_corrected": correction.watch_topics is not None,
        "model_sentiment": snap.model_sentiment,
        "model_topics": list(snap.model_watch_topics),
        "model_version": snap.model_version,
        "corrected_by": correction.by.key_name,
        "corrected_at": correction.created_at.isoformat(),
    }


def topic_report(corrections: list[Correction]) -> dict[str, dict[str, list[str]]]:
    """topic -> {"added": doc ids the rules missed, "removed": doc ids they matched wrongly}."""
    report: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"added": [], "removed": []})
    for c in corrections:
        if c.watch_topics is None:
            continue
        model, analyst = set(c.snapshot.model_watch_topics), set(c.watch_topics)
        for topic in sorted(analyst - model):
            report[topic]["added"].append(c.document_id)
        for topic in sorted(model - analyst):
            report[topic]["removed"].append(c.document_id)
    return dict(sorted(report.items()))


@click.group()
def feedback() -> None:
    """Analysts' corrections: export them, or see where the watch-topic rules miss."""


@feedback.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSON Lines file to write (data/indomain's row format).")  # fmt: skip
@click.pass_context
def feedback_export(ctx: click.Context, out: Path) -> None:
    """Write the latest correction of each document as a JSON line."""
    corrections = load_corrections(_settings(ctx))
    with out.open("w", encoding="utf-8") as handle:
        for correction in corrections:
            handle.write(json.dumps(export_row(correction), ensure_ascii=False) + "\n")
    labels = Counter(c.sentiment for c in corrections if c.sentiment)
    counts = ", ".join(f"{label} {n}" for label, n in sorted(labels.items())) or "none"
    topics = sum(c.watch_topics is not None for c in corrections)
    click.echo(f"{len(corrections)} corrected documents written to {out} "
               f"(sentiment corrections: {counts}; topic corrections: {topics}).")  # fmt: skip


@feedback.command("report")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
@click.pass_context
def feedback_report(ctx: click.Context, as_json: bool) -> None:
    """Per watch topic: added by analysts (rules missed) and removed (rules matched wrongly)."""
    corrections = load_corrections(_settings(ctx))
    report = topic_report(corrections)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    checked = sum(c.watch_topics is not None for c in corrections)
    click.echo(f"{checked} documents with corrected watch topics.")
    if not report:
        return
    click.echo(f"{'topic':<24} {'added':>6} {'removed':>8}  examples (added / removed)")
    for topic, found in report.items():
        added, removed = found["added"], found["removed"]
        click.echo(f"{topic:<24} {len(added):>6} {len(removed):>8}  "
                   f"{', '.join(added[:EXAMPLES]) or '-'} / "
                   f"{', '.join(removed[:EXAMPLES]) or '-'}")  # fmt: skip
