"""Analysts' corrections as training rows: ``vnopinion train --task sentiment --with-feedback``.

The corrections (``indexer.corrections``, latest per document) become rows of the target
domain (our own comments and articles, like data/indomain), each weighted
``FEEDBACK_WEIGHT`` times an in-domain row: a correction is a label a person checked on the
very text the model got wrong, and a handful of them must be able to move a model trained
on 12,000 rows. An in-domain training row with exactly the same text is left out (the
analyst's label replaces it). Rows are taken in document-id order and the version gets
``-fb<N>-<digest>``, the first 8 hex digits of a SHA-256 over the rows, so the same
corrections give the same model, and different ones a different version.

Watch topics are YAML rules, not trained: their corrections are exported for the people who
edit ``nlp/topics.yaml`` (``vnopinion feedback export`` / ``report``), not folded in here.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.corrections import Correction
from nlp.datasets import Example
from nlp.text import model_input

__all__ = [
    "FEEDBACK_TASKS",
    "FEEDBACK_WEIGHT",
    "FeedbackSummary",
    "Folded",
    "fold_in",
    "sentiment_examples",
]

FEEDBACK_WEIGHT = 2.0  # times the weight of an in-domain row (LinearConfig.target_weight)
FEEDBACK_TASKS = ("sentiment",)


def sentiment_examples(corrections: Iterable[Correction]) -> list[Example]:
    """One row per correction that sets a sentiment, on the text the model read then,
    in document-id order (give the latest correction per document)."""
    rows = [
        (c.document_id, model_input(c.snapshot.title, c.snapshot.lead, c.snapshot.text),
         c.sentiment)
        for c in corrections
        if c.sentiment is not None
    ]  # fmt: skip
    return [Example(text, label) for _, text, label in sorted(rows) if text.strip()]


@dataclass(frozen=True)
class FeedbackSummary:
    rows: int
    labels: dict[str, int]
    replaced: int  # in-domain training rows whose text a correction re-labels
    weight: float  # absolute sample weight of a feedback row
    digest: str

    @property
    def suffix(self) -> str:
        return f"fb{self.rows}-{self.digest[:8]}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "corrections": self.rows,
            "labels": self.labels,
            "replaced_rows": self.replaced,
            "weight": self.weight,
            "sha256": self.digest,
        }

    def card_lines(self) -> list[str]:
        counts = ", ".join(f"{label} {n}" for label, n in self.labels.items())
        return [
            "## Analysts' feedback",
            "",
            f"{self.rows} corrections folded in (latest per document, from the corrections "
            f"index): {counts}. Each is a target-domain row of sample weight {self.weight:g} "
            f"({FEEDBACK_WEIGHT:g} x an in-domain row); {self.replaced} in-domain training "
            f"rows with the same text were left out. Rows SHA-256 `{self.digest}`: the same "
            "corrections, data, seed and date give the same artifact.",
            "",
        ]


@dataclass(frozen=True)
class Folded:
    examples: list[Example]
    target: list[bool]
    weights: list[float]
    summary: FeedbackSummary


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def digest(rows: Sequence[Example]) -> str:
    payload = json.dumps([[r.text, r.label] for r in rows], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def fold_in(
    task: str,
    examples: Sequence[Example],
    target: Sequence[bool],
    feedback: Sequence[Example],
    target_weight: float,
) -> Folded:
    """``examples`` (with their target flags) plus ``feedback`` as weighted target rows;
    ``target_weight`` is the model's weight of a target-domain row (for the summary)."""
    if task not in FEEDBACK_TASKS:
        raise ValueError(f"feedback is folded into {', '.join(FEEDBACK_TASKS)} only, not {task}")
    corrected = {_key(row.text) for row in feedback}
    kept = [
        (ex, flag)
        for ex, flag in zip(examples, target, strict=True)
        if not (flag and _key(ex.text) in corrected)
    ]
    summary = FeedbackSummary(
        rows=len(feedback),
        labels=dict(sorted(Counter(row.label for row in feedback).items())),
        replaced=len(examples) - len(kept),
        weight=target_weight * FEEDBACK_WEIGHT,
        digest=digest(feedback),
    )
    return Folded(
        examples=[ex for ex, _ in kept] + list(feedback),
        target=[flag for _, flag in kept] + [True] * len(feedback),
        weights=[1.0] * len(kept) + [FEEDBACK_WEIGHT] * len(feedback),
        summary=summary,
    )
