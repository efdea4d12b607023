"""Analysts' corrections fold into the sentiment model: ``vnopinion train --task sentiment
--with-feedback`` reads them from the real node and trains into a temporary models folder.

The documents are in-domain dev comments that the shipped model labels wrongly; after
retraining with their corrections, the new model gives the corrected labels.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from indexer.corrections import CorrectionStore, Corrector
from nlp.datasets import Example, load_split
from nlp.feedback import FEEDBACK_WEIGHT, fold_in, sentiment_examples
from nlp.linear import load_model
from tests.conftest import REPO_ROOT, cli_env, run_cli
from tests.shared import shared_file
from vnopinion.cli_feedback import export_row, topic_report
from vnopinion.settings import Settings

ANALYST = Corrector(key_id="0123456789abcdef", key_name="Cán bộ A", role="analyst")
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
TOPICS = {"dat_dai": "Đất đai", "y_te": "Y tế", "moi_truong": "Môi trường"}
CORRECTED = 5


def source(doc_id: str, text: str, model_label: str, topics: list[str]) -> dict[str, Any]:
    """A comment's ``_source`` as the API hands it to the store."""
    return {"id": doc_id, "kind": "comment", "source": "vnexpress.net", "text": text,
            "sentiment": {"label": model_label, "score": 0.6}, "watch_topics": topics,
            "model_version": "sentiment=shipped"}  # fmt: skip


@pytest.fixture
def store(es: Elasticsearch) -> Iterator[CorrectionStore]:
    alias = f"t-{uuid.uuid4().hex[:10]}-docs"
    store = CorrectionStore(es, f"{alias}.corrections")
    yield store
    es.options(ignore_status=404).indices.delete(index=store.index)


def test_fold_in_weights_feedback_and_replaces_same_text_rows() -> None:
    rows = [Example("công khai minh bạch", "positive"), Example("Đền bù như cho.", "positive"),
            Example("Đền bù như cho.", "positive")]  # fmt: skip
    feedback = [Example(" Đền bù như cho. ", "negative")]
    folded = fold_in("sentiment", rows, [True, True, False], feedback, target_weight=5.0)
    # the in-domain row with that text is replaced; the public-set row is kept
    assert [(e.text, e.label) for e in folded.examples] == [
        ("công khai minh bạch", "positive"), ("Đền bù như cho.", "positive"),
        (" Đền bù như cho. ", "negative"),
    ]  # fmt: skip
    assert folded.target == [True, False, True]
    assert folded.weights == [1.0, 1.0, FEEDBACK_WEIGHT]
    assert folded.summary.replaced == 1
    assert folded.summary.weight == 5.0 * FEEDBACK_WEIGHT
    assert folded.summary.suffix.startswith("fb1-")
    again = fold_in("sentiment", rows, [True, True, False], feedback, target_weight=5.0)
    assert again.summary == folded.summary  # same corrections, same digest
    with pytest.raises(ValueError, match="sentiment only"):
        fold_in("toxicity", rows, [False] * 3, feedback, target_weight=1.0)


@pytest.mark.es
@pytest.mark.slow
def test_corrections_change_the_retrained_models_predictions(
    store: CorrectionStore, es_settings: Settings, tmp_path: Path
) -> None:
    datasets = shared_file("datasets", "README.md").parent
    shipped = load_model(REPO_ROOT / "models", "sentiment")
    dev = load_split(datasets, "indomain", "dev")
    predicted = shipped.predict([ex.text for ex in dev])
    wrong = [(ex, label) for ex, (label, _) in zip(dev, predicted, strict=True)
             if label != ex.label][:CORRECTED]  # fmt: skip
    assert len(wrong) == CORRECTED
    for i, (ex, model_label) in enumerate(wrong):
        doc = source(f"vnexpress.net:{9000 + i}", ex.text, model_label, ["dat_dai"])
        if i == 0:  # an earlier, mistaken correction: the later one wins
            store.add(doc, ANALYST, topics=TOPICS, sentiment=model_label, now=T0)
        topics = ["y_te"] if i == 1 else None
        later = T0 + timedelta(hours=1)
        store.add(doc, ANALYST, topics=TOPICS, sentiment=ex.label, watch_topics=topics, now=later)
    # a topics-only correction is no sentiment row
    store.add(source("vnexpress.net:9999", "Khói bụi quá", "negative", []), ANALYST,
              topics=TOPICS, watch_topics=["moi_truong"], now=T0)  # fmt: skip

    models = tmp_path / "models"
    alias = store.index.removesuffix(".corrections")
    env = cli_env(es_settings, VNOPINION_INDEX_ALIAS=alias, VNOPINION_MODELS_DIR=str(models),
                  VNOPINION_DATASETS_DIR=str(datasets))  # fmt: skip
    result = run_cli("train", "--task", "sentiment", "--with-feedback", env=env)
    assert result.returncode == 0, result.stderr
    assert f"folding in {CORRECTED} analysts' corrections" in result.stderr

    retrained = load_model(models, "sentiment")
    # the shipped version's name with today's date, bumped by the feedback
    assert re.fullmatch(rf"sentiment-linear-vsfc-indomain-\d{{8}}-fb{CORRECTED}-[0-9a-f]{{8}}",
                        retrained.version), retrained.version  # fmt: skip
    assert retrained.version in result.stdout
    texts = [ex.text for ex, _ in wrong]
    before = [label for label, _ in shipped.predict(texts)]
    after = [label for label, _ in retrained.predict(texts)]
    gold = [ex.label for ex, _ in wrong]
    assert all(b != g for b, g in zip(before, gold, strict=True))
    assert after == gold

    labels: dict[str, int] = {}
    for label in gold:
        labels[label] = labels.get(label, 0) + 1
    metrics = json.loads((models / "sentiment" / "metrics.json").read_text())
    assert metrics["version"] == retrained.version
    assert metrics["feedback"]["corrections"] == CORRECTED
    assert metrics["feedback"]["labels"] == dict(sorted(labels.items()))
    assert retrained.metadata["feedback"] == metrics["feedback"]
    card = (models / "sentiment" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"{CORRECTED} corrections folded in" in card
    assert "vnopinion train --task sentiment --with-feedback" in card

    corrections = store.latest_all()
    assert [e.text for e in sentiment_examples(corrections)] == texts  # document-id order
    report = topic_report(corrections)
    assert report["y_te"]["added"] == ["vnexpress.net:9001"]
    assert report["dat_dai"]["removed"] == ["vnexpress.net:9001"]
    assert report["moi_truong"]["added"] == ["vnexpress.net:9999"]
    row = export_row(corrections[1])
    assert (row["label"], row["topics"], row["sentiment_corrected"]) == (gold[1], ["y_te"], True)


@pytest.mark.es
def test_feedback_commands_and_refusals(
    store: CorrectionStore, es_settings: Settings, tmp_path: Path
) -> None:
    env = cli_env(es_settings, VNOPINION_INDEX_ALIAS=store.index.removesuffix(".corrections"),
                  VNOPINION_MODELS_DIR=str(tmp_path / "models"))  # fmt: skip
    refused = run_cli("train", "--task", "toxicity", "--with-feedback", env=env)
    assert refused.returncode != 0
    assert "--with-feedback trains the linear sentiment model only" in refused.stderr
    empty = run_cli("train", "--task", "sentiment", "--with-feedback", env=env)
    assert empty.returncode == 1
    assert "No sentiment corrections" in empty.stderr
    assert not (tmp_path / "models").exists()

    store.add(source("vnexpress.net:1", "Đền bù như cho.", "positive", ["dat_dai"]), ANALYST,
              topics=TOPICS, sentiment="negative", watch_topics=[])  # fmt: skip
    out = tmp_path / "feedback.jsonl"
    exported = run_cli("feedback", "export", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["id"], row["text"], row["label"], row["topics"]) == (
        "vnexpress.net:1",
        "Đền bù như cho.",
        "negative",
        [],
    )
    assert (row["model_sentiment"], row["corrected_by"]) == ("positive", "Cán bộ A")
    report = run_cli("feedback", "report", "--json", env=env)
    assert json.loads(report.stdout) == {"dat_dai": {"added": [], "removed": ["vnexpress.net:1"]}}
