"""A learned signal beside the watch-topic rules: one logistic regression per topic.

The rules (``nlp.topics``) say why a topic was given, but miss what a text says without a
keyword ("tiền đi đâu hết rồi", sarcasm about prices). ``WatchTopicModel`` scores every topic
it was trained on from the same n-grams the sentiment and toxicity models read (word 1-2 and
char_wb 2-5 grams of ``nlp.linear.preprocess(text)``), so the tagger's ``SharedLinearModels``
analyses a text once for all of them. ``decide`` combines both views per topic:

- a rule match stands unless the model is confident it is wrong (probability below that
  topic's ``veto``, chosen out-of-fold on train; 0 means never vetoed);
- the model adds a topic the rules missed when its probability reaches that topic's
  ``threshold`` (chosen out-of-fold on train). Such a topic has no matched terms.

Topics the model was not trained on (added to nlp/topics.yaml later) are left to the rules.
The artifact is plain data (vocabularies, float32 IDF and coefficients, thresholds) saved
with joblib, like ``nlp.linear``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from nlp.linear import (
    PREPROCESS_VERSION,
    LinearConfig,
    _Block,
    _fit_block,
    preprocess,
    read_artifact,
)

__all__ = ["FORMAT", "TASK", "WatchTopicModel", "watch_model_path"]

FORMAT = "vnopinion-watch-topics/1"
TASK = "watch_topics"


def watch_model_path(models_dir: Path) -> Path:
    return models_dir / TASK / "model.joblib"


@dataclass
class WatchTopicModel:
    """Per-topic probabilities over shared n-gram features, and the rule/model decision."""

    config: LinearConfig = field(default_factory=lambda: LinearConfig(c=10.0))
    seed: int = 13
    version: str = "unversioned"
    metadata: dict[str, Any] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    thresholds: list[float] = field(default_factory=list)  # add a topic at p >= threshold
    vetoes: list[float] = field(default_factory=list)  # drop a rule match at p < veto
    _blocks: list[_Block] = field(default_factory=list, repr=False)
    _coef: np.ndarray | None = field(default=None, repr=False)  # (topics, features)
    _intercept: np.ndarray | None = field(default=None, repr=False)

    def fit(self, texts: Sequence[str], labels: Sequence[Sequence[str]], topics: Sequence[str]
            ) -> WatchTopicModel:  # fmt: skip
        """One class-balanced logistic regression per topic over ``texts``' n-grams."""
        if len(texts) != len(labels) or not texts:
            raise ValueError("fit needs one topic list per text, and at least one text")
        clean = [preprocess(text) for text in texts]
        cfg = self.config
        self._blocks = [
            _fit_block(clean, analyzer, ngrams, limit, cfg.min_df)
            for analyzer, ngrams, limit in (
                ("word", cfg.word_ngrams, cfg.word_max_features),
                ("char_wb", cfg.char_ngrams, cfg.char_max_features),
            )
            if limit > 0
        ]
        features = self._features(clean)
        coef, intercept = [], []
        for topic in topics:
            gold = np.array([topic in row for row in labels], dtype=int)
            if gold.min() == gold.max():
                raise ValueError(f"topic {topic!r} needs positive and negative texts")
            model = LogisticRegression(
                C=cfg.c, class_weight=cfg.class_weight, max_iter=cfg.max_iter,
                random_state=self.seed,
            ).fit(features, gold)  # fmt: skip
            coef.append(model.coef_[0])
            intercept.append(model.intercept_[0])
        self.topics = list(topics)
        self._coef = np.asarray(coef, dtype=np.float32)
        self._intercept = np.asarray(intercept, dtype=np.float32)
        self.thresholds = [0.5] * len(self.topics)
        self.vetoes = [0.0] * len(self.topics)
        return self

    def _features(self, clean: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(sp.hstack([block.transform(clean) for block in self._blocks]))

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Per-topic probabilities from raw scores (features @ coef.T, no intercept yet)."""
        if self._intercept is None:
            raise RuntimeError("the model is not fitted: call fit() or load() first")
        return np.asarray(1.0 / (1.0 + np.exp(-(scores + self._intercept))))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), len(topics)), columns in ``topics`` order."""
        if self._coef is None:
            raise RuntimeError("the model is not fitted: call fit() or load() first")
        features = self._features([preprocess(text) for text in texts])
        return self.probabilities(np.asarray(features @ self._coef.T, dtype=np.float64))

    def decide(
        self, matched: Mapping[str, list[str]], proba: np.ndarray
    ) -> tuple[list[str], dict[str, list[str]]]:
        """(topics, the rule matches kept) for one text, from its rule matches and scores.

        >>> m = WatchTopicModel(topics=["a", "b", "c"], thresholds=[0.6, 0.6, 0.6],
        ...                     vetoes=[0.1, 0.0, 0.1])
        >>> m.decide({"a": ["x"], "c": ["y"], "z": ["w"]}, np.array([0.05, 0.7, 0.5]))
        (['b', 'c', 'z'], {'c': ['y'], 'z': ['w']})
        """
        index = {topic: i for i, topic in enumerate(self.topics)}
        kept = {
            topic: terms
            for topic, terms in matched.items()
            if topic not in index or proba[index[topic]] >= self.vetoes[index[topic]]
        }
        added = {t for t, i in index.items() if proba[i] >= self.thresholds[i]}
        return sorted(set(kept) | added), kept

    def save(self, path: Path) -> None:
        if self._coef is None or self._intercept is None:
            raise RuntimeError("cannot save an unfitted model")
        path.parent.mkdir(parents=True, exist_ok=True)
        config = asdict(self.config)
        del config["target_weight"]  # no target domain here
        payload = {
            "format": FORMAT,
            "preprocess": PREPROCESS_VERSION,
            "version": self.version,
            "seed": self.seed,
            "config": config,
            "metadata": self.metadata,
            "topics": self.topics,
            "thresholds": [float(t) for t in self.thresholds],
            "vetoes": [float(v) for v in self.vetoes],
            "blocks": [block.as_dict() for block in self._blocks],
            "coef": self._coef,
            "intercept": self._intercept,
        }
        joblib.dump(payload, path, compress=("xz", 6))

    @classmethod
    def load(cls, path: Path) -> WatchTopicModel:
        payload, config, blocks = read_artifact(path, (FORMAT,))
        model = cls(
            config=config,
            seed=payload["seed"],
            version=payload["version"],
            metadata=payload["metadata"],
            topics=list(payload["topics"]),
            thresholds=list(payload["thresholds"]),
            vetoes=list(payload["vetoes"]),
        )
        model._blocks = blocks
        model._coef = np.asarray(payload["coef"], dtype=np.float32)
        model._intercept = np.asarray(payload["intercept"], dtype=np.float32)
        return model
