"""Score a model on labelled examples: macro-F1, accuracy, per-class figures, confusion matrix.

Gold labels may use any dataset's names for the task; they are mapped the way training maps
them (``nlp.datasets.TRAIN_MAPS``), except for datasets scored in their own coarser scheme
(``EVAL_COLLAPSE``: on ``uit_victsd`` the model's offensive or hate count as ``toxic``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from nlp.classifier import TextClassifier, load_classifier
from nlp.datasets import EVAL_COLLAPSE, LABELS, TRAIN_MAPS, Example, Task, read_jsonl

__all__ = ["evaluate_examples", "evaluate_file", "format_report", "metrics"]


def _scheme(task: Task, gold: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(gold label -> scored label, model label -> scored label) for these gold labels."""
    if gold <= set(LABELS[task]):
        identity = {label: label for label in LABELS[task]}
        return identity, identity
    for collapse in EVAL_COLLAPSE.get(task, {}).values():
        if gold <= set(collapse.values()):
            return {label: label for label in collapse.values()}, collapse
    for mapping in TRAIN_MAPS[task].values():
        if gold <= set(mapping):
            return mapping, {label: label for label in LABELS[task]}
    raise ValueError(f"labels {sorted(gold)} match no dataset of task {task!r}")


def metrics(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """The result dict of ``evaluate_file`` for already-mapped labels."""
    names = list(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=names, zero_division=0
    )
    present = [i for i, name in enumerate(names) if support[i] > 0 or name in set(predicted)]
    return {
        "macro_f1": float(sum(f1[i] for i in present) / max(len(present), 1)),
        "accuracy": float(accuracy_score(gold, predicted)) if gold else 0.0,
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(names)
        },
        "n": len(gold),
        "confusion": {
            "labels": names,
            "matrix": confusion_matrix(gold, predicted, labels=names).tolist() if gold else [],
        },
    }


def evaluate_examples(
    task: Task, examples: Sequence[Example], model: TextClassifier
) -> dict[str, Any]:
    gold_map, model_map = _scheme(task, {ex.label for ex in examples})
    gold = [gold_map[ex.label] for ex in examples]
    predicted = [model_map[label] for label, _ in model.predict([ex.text for ex in examples])]
    labels = list(dict.fromkeys(model_map.values()))
    return metrics(gold, predicted, labels)


def evaluate_file(
    task: Task, data: Path, models_dir: Path, backend: str = "linear"
) -> dict[str, Any]:
    """Score the trained ``task`` model of ``backend`` on a JSONL file of {"text", "label"}."""
    return evaluate_examples(task, read_jsonl(data), load_classifier(models_dir, task, backend))


def format_report(result: dict[str, Any]) -> str:
    """A plain-text report: headline figures, per-class table, confusion matrix."""
    lines = [
        f"n={result['n']}  macro-F1={result['macro_f1']:.4f}  accuracy={result['accuracy']:.4f}",
        "",
        f"{'label':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for label, row in result["per_class"].items():
        lines.append(
            f"{label:<12}{row['precision']:>10.3f}{row['recall']:>10.3f}"
            f"{row['f1']:>10.3f}{row['support']:>10d}"
        )
    labels = result["confusion"]["labels"]
    lines += ["", "confusion (rows = gold, columns = predicted)", " " * 12 + "".join(
        f"{label[:10]:>11}" for label in labels
    )]  # fmt: skip
    for label, row in zip(labels, result["confusion"]["matrix"], strict=False):
        lines.append(f"{label[:12]:<12}" + "".join(f"{count:>11d}" for count in row))
    return "\n".join(lines)
