"""Fast CPU text classifier: word and character n-gram TF-IDF into a linear model.

Two linear models: a multinomial logistic regression (probabilities as trained) or a
LinearSVC whose scores go through a softmax with one temperature fitted on out-of-fold
scores (calibrated without changing any predicted label).

Domain adaptation (optional): when ``fit`` is told which rows come from a *target* domain
(our own news comments, say, beside a large public set from elsewhere), the features are
augmented as ``[x, g(x) * x]`` ("frustratingly easy" domain adaptation with an inferred
domain): the first copy is shared by every row, the second only fires on target-domain text,
so target-only cues do not have to move the weights the public set relies on. ``g`` is the
target row indicator in training and, at prediction, a logistic-regression gate (target vs
not, on the same features) stored in the artifact. Target rows can be weighted
(``LinearConfig.target_weight``). Every output stays linear in ``x`` before the gate is
applied, so ``coef`` holds the stacked rows (shared, target, gate) and ``probabilities``
combines them.

The artifact is plain data (vocabularies, float32 IDF and coefficients, the preprocessing
version and metadata) saved with joblib, so loading it needs no fitted scikit-learn object
and a saved model predicts exactly what it predicted when it was trained.

Preprocessing is part of the artifact's contract (``PREPROCESS_VERSION``): NFC, lower case,
URLs -> ``URL``, 3+ repeated characters -> 2, emoji variation selectors dropped (emoji kept),
whitespace collapsed, and at most ``MAX_CHARS`` characters kept (comments are short; a 1 MB
paste must not cost seconds).

>>> preprocess("Quáaaaa  HAY 👍 xem https://vnexpress.net/a-1.html")
'quáaa hay 👍 xem URL'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from nlp.text import nfc

__all__ = [
    "FORMAT",
    "MAX_CHARS",
    "PREPROCESS_VERSION",
    "LinearConfig",
    "LinearTextClassifier",
    "load_model",
    "model_path",
    "preprocess",
]

FORMAT = "vnopinion-linear/1"
FORMAT_GATED = "vnopinion-linear/2"  # domain-gated coefficients (plain models stay format 1)
PREPROCESS_VERSION = "pre-1"
MAX_CHARS = 4000
# Words are runs of letters/digits; every other visible character (punctuation, emoji) is a
# token of its own, so "hay!!" and "hay !!" give the same words.
WORD_PATTERN = r"\w+|[^\w\s]"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{2,}")
_SELECTORS = re.compile("[\ufe0e\ufe0f]")
_SPACES = re.compile(r"\s+")


def preprocess(text: str) -> str:
    """The text the features see (frozen as ``PREPROCESS_VERSION``)."""
    text = nfc(text[: MAX_CHARS * 2])[:MAX_CHARS].lower()
    text = _URL.sub(" URL ", text)
    text = _SELECTORS.sub("", text)
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class LinearConfig:
    """Hyper-parameters; stored in the artifact's metadata."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    word_max_features: int = 150_000
    char_max_features: int = 250_000
    min_df: int = 2
    model: str = "logreg"  # "logreg" or "svm" (LinearSVC, scores temperature-scaled)
    c: float = 4.0
    class_weight: str | None = "balanced"
    max_iter: int = 2000
    calibration_folds: int = 5
    target_weight: float = 1.0  # sample weight of target-domain rows (``fit(target=...)``)


@dataclass
class _Block:
    """One TF-IDF block: a fixed vocabulary and its IDF (sublinear tf, l2 per block)."""

    analyzer: str
    ngrams: tuple[int, int]
    vocabulary: list[str]
    idf: np.ndarray
    _counter: CountVectorizer | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "ngrams": list(self.ngrams),
            "vocabulary": self.vocabulary,
            "idf": self.idf,
        }

    def counter(self) -> CountVectorizer:
        """A counter over the fixed vocabulary, built once (the vocabulary dict is large)."""
        if self._counter is None:
            self._counter = self._make_counter()
        return self._counter

    def _make_counter(self) -> CountVectorizer:
        return CountVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngrams,
            lowercase=False,
            token_pattern=WORD_PATTERN if self.analyzer == "word" else None,
            vocabulary=self.vocabulary,
            dtype=np.float32,
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = sp.csr_matrix(self.counter().transform(texts), dtype=np.float32)
        counts.data = np.log(counts.data, dtype=np.float32) + np.float32(1.0)
        weighted = sp.csr_matrix(counts.multiply(self.idf[np.newaxis, :]), dtype=np.float32)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        scale = sp.diags((1.0 / norms).astype(np.float32))
        return sp.csr_matrix(scale @ weighted, dtype=np.float32)


def _fit_block(
    texts: Sequence[str], analyzer: str, ngrams: tuple[int, int], limit: int, min_df: int
) -> _Block:
    vectorizer = TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        lowercase=False,
        token_pattern=WORD_PATTERN if analyzer == "word" else None,
        min_df=min_df,
        max_features=limit,
        sublinear_tf=True,
        dtype=np.float32,
    )
    vectorizer.fit(texts)
    return _Block(
        analyzer=analyzer,
        ngrams=ngrams,
        vocabulary=[str(term) for term in vectorizer.get_feature_names_out()],
        idf=np.asarray(vectorizer.idf_, dtype=np.float32),
    )


def _class_weights(
    scheme: str | None, labels: Sequence[Any] | np.ndarray
) -> dict[Any, float] | None:
    """None, "balanced" (n / (k * count)) or "sqrt" (its square root: a milder boost)."""
    if scheme is None:
        return None
    names, counts = np.unique(np.asarray(labels), return_counts=True)
    balanced = len(labels) / (len(names) * counts)
    if scheme == "balanced":
        return {n.item(): float(w) for n, w in zip(names, balanced, strict=True)}
    if scheme == "sqrt":
        return {n.item(): float(w) for n, w in zip(names, np.sqrt(balanced), strict=True)}
    raise ValueError(f"class_weight must be None, 'balanced' or 'sqrt', not {scheme!r}")


@dataclass
class LinearTextClassifier:
    """TF-IDF (word 1-2 grams + char_wb 2-5 grams) and a linear model (see ``LinearConfig``)."""

    config: LinearConfig = field(default_factory=LinearConfig)
    seed: int = 13
    version: str = "unversioned"
    metadata: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    temperature: float = 1.0
    _blocks: list[_Block] = field(default_factory=list, repr=False)
    # Linear outputs over the features: the class scores (one row for a binary model), then,
    # for a domain-gated model, as many target-domain rows and one gate row.
    _coef: np.ndarray | None = field(default=None, repr=False)
    _intercept: np.ndarray | None = field(default=None, repr=False)
    _gate_intercept: float | None = field(default=None, repr=False)  # None: not gated

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        target: Sequence[bool] | None = None,
        weights: Sequence[float] | None = None,
    ) -> LinearTextClassifier:
        """Fit on ``texts``; ``target`` marks target-domain rows (domain adaptation, above);
        ``weights`` multiplies each row's sample weight (analysts' corrections)."""
        if len(texts) != len(labels) or not texts:
            raise ValueError("fit needs as many labels as texts, and at least one text")
        if target is not None and len(target) != len(texts):
            raise ValueError("target needs one flag per text")
        if weights is not None and len(weights) != len(texts):
            raise ValueError("weights needs one weight per text")
        clean = [preprocess(text) for text in texts]
        cfg = self.config
        blocks = [
            ("word", cfg.word_ngrams, cfg.word_max_features),
            ("char_wb", cfg.char_ngrams, cfg.char_max_features),
        ]
        self._blocks = [
            _fit_block(clean, analyzer, ngrams, limit, cfg.min_df)
            for analyzer, ngrams, limit in blocks
            if limit > 0  # a block of size 0 is left out (long news texts: words suffice)
        ]
        features = self._features(clean)
        domain = np.asarray(target if target is not None else [], dtype=bool)
        gated = bool(domain.any()) and not bool(domain.all())
        sample = np.where(domain, cfg.target_weight, 1.0) if gated else None
        if weights is not None:  # None keeps the arrays (and so the artifacts) as they were
            sample = (1.0 if sample is None else sample) * np.asarray(weights, dtype=np.float64)
        gate_coef: np.ndarray | None = None
        self._gate_intercept = None
        if gated:
            gate = LogisticRegression(
                C=4.0, class_weight="balanced", max_iter=cfg.max_iter, random_state=self.seed
            ).fit(features, domain.astype(int))
            gate_coef = np.asarray(gate.coef_, dtype=np.float32)
            self._gate_intercept = float(gate.intercept_[0])
            features = _augment(features, domain.astype(np.float32))
        model = self._estimator(labels)
        model.fit(features, list(labels), sample_weight=sample)
        self.labels = [str(label) for label in model.classes_]
        coef = np.asarray(model.coef_, dtype=np.float32)
        if gate_coef is not None:
            width = coef.shape[1] // 2  # [shared | target] columns -> stacked rows
            coef = np.vstack([coef[:, :width], coef[:, width:], gate_coef])
        self._coef = coef
        self._intercept = np.asarray(model.intercept_, dtype=np.float32)
        self.temperature = 1.0
        if cfg.model == "svm":
            self.temperature = self._fit_temperature(features, labels, sample)
        return self

    def _estimator(self, labels: Sequence[Any] | np.ndarray) -> LogisticRegression | LinearSVC:
        cfg = self.config
        weights = _class_weights(cfg.class_weight, labels)
        if cfg.model == "logreg":
            return LogisticRegression(
                C=cfg.c, class_weight=weights, max_iter=cfg.max_iter, random_state=self.seed
            )
        if cfg.model == "svm":
            return LinearSVC(
                C=cfg.c, class_weight=weights, max_iter=cfg.max_iter, random_state=self.seed
            )
        raise ValueError(f"model must be 'logreg' or 'svm', not {cfg.model!r}")

    def _fit_temperature(
        self, features: sp.csr_matrix, labels: Sequence[str], weights: np.ndarray | None = None
    ) -> float:
        """Softmax temperature for SVM scores, by log-loss on out-of-fold decision scores.

        One scalar keeps the arg-max (and so every predicted label) unchanged, unlike
        per-class Platt scaling, which cost VSFC's rare ``neutral`` class several F1 points.
        """
        # Integer classes: cross_val_predict encodes labels, so class weights are keyed alike.
        gold = np.searchsorted(np.asarray(self.labels), np.asarray(labels))
        folds = StratifiedKFold(self.config.calibration_folds, shuffle=True, random_state=self.seed)
        scores = cross_val_predict(
            self._estimator(gold),
            features,
            gold,
            cv=folds,
            method="decision_function",
            params=None if weights is None else {"sample_weight": weights},
        )
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim == 1:
            scores = np.column_stack([-scores / 2, scores / 2])

        def loss(log_t: float) -> float:
            z = scores / np.exp(log_t)
            z -= z.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return float(-log_p[np.arange(len(gold)), gold].mean())

        best = minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded")
        return float(np.exp(best.x))

    def _features(self, clean: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(sp.hstack([block.transform(clean) for block in self._blocks]))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (len(texts), len(labels)), columns in ``labels`` order."""
        if self._coef is None or self._intercept is None:
            raise RuntimeError("the model is not fitted: call fit() or load() first")
        features = self._features([preprocess(text) for text in texts])
        return self.probabilities(np.asarray(features @ self._coef.T, dtype=np.float64))

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Probabilities from raw linear scores (features @ coef.T, intercept not yet added)."""
        if self._coef is None or self._intercept is None:
            raise RuntimeError("the model is not fitted: call fit() or load() first")
        k = len(self._intercept)  # class-score rows (1 for a binary model)
        if self._gate_intercept is not None:
            gate = 1.0 / (1.0 + np.exp(-(scores[:, 2 * k] + self._gate_intercept)))
            scores = scores[:, :k] + gate[:, np.newaxis] * scores[:, k : 2 * k]
        scores = scores + self._intercept
        scores /= self.temperature
        if k == 1:  # binary model: one score for labels[1]
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, probability of that label) per text."""
        return self.labelled(self.predict_proba(texts))

    def labelled(self, proba: np.ndarray) -> list[tuple[str, float]]:
        """(label, probability) per row of ``predict_proba``'s output."""
        best = proba.argmax(axis=1)
        return [(self.labels[i], float(proba[row, i])) for row, i in enumerate(best)]

    def save(self, path: Path) -> None:
        if self._coef is None or self._intercept is None:
            raise RuntimeError("cannot save an unfitted model")
        path.parent.mkdir(parents=True, exist_ok=True)
        config = asdict(self.config)
        if config["target_weight"] == 1.0:  # added later: left out when unset, so artifacts
            del config["target_weight"]  # of plain models keep their bytes
        payload: dict[str, Any] = {
            "format": FORMAT if self._gate_intercept is None else FORMAT_GATED,
            "preprocess": PREPROCESS_VERSION,
            "version": self.version,
            "seed": self.seed,
            "config": config,
            "metadata": self.metadata,
            "labels": self.labels,
            "temperature": self.temperature,
            "blocks": [block.as_dict() for block in self._blocks],
            "coef": self._coef,
            "intercept": self._intercept,
        }
        if self._gate_intercept is not None:
            payload["gate_intercept"] = self._gate_intercept
        joblib.dump(payload, path, compress=("xz", 6))

    @classmethod
    def load(cls, path: Path) -> LinearTextClassifier:
        payload, config, blocks = read_artifact(path, (FORMAT, FORMAT_GATED))
        model = cls(
            config=config,
            seed=payload["seed"],
            version=payload["version"],
            metadata=payload["metadata"],
            labels=list(payload["labels"]),
            temperature=float(payload["temperature"]),
        )
        model._blocks = blocks
        model._coef = np.asarray(payload["coef"], dtype=np.float32)
        model._intercept = np.asarray(payload["intercept"], dtype=np.float32)
        gate = payload.get("gate_intercept")
        model._gate_intercept = None if gate is None else float(gate)
        return model


def read_artifact(
    path: Path, formats: tuple[str, ...]
) -> tuple[dict[str, Any], LinearConfig, list[_Block]]:
    """A saved n-gram model's payload, config and feature blocks; ``ValueError`` when its
    format is not one of ``formats`` or it was trained on another preprocessing."""
    payload = joblib.load(path)
    if payload.get("format") not in formats or payload.get("preprocess") != PREPROCESS_VERSION:
        raise ValueError(
            f"{path}: artifact format {payload.get('format')!r} / preprocessing "
            f"{payload.get('preprocess')!r} is not {' or '.join(map(repr, formats))} / "
            f"{PREPROCESS_VERSION!r}"
        )
    raw = dict(payload["config"])
    raw["word_ngrams"] = tuple(raw["word_ngrams"])
    raw["char_ngrams"] = tuple(raw["char_ngrams"])
    blocks = [
        _Block(
            analyzer=b["analyzer"],
            ngrams=tuple(b["ngrams"]),
            vocabulary=list(b["vocabulary"]),
            idf=np.asarray(b["idf"], dtype=np.float32),
        )
        for b in payload["blocks"]
    ]
    return payload, LinearConfig(**raw), blocks


def _augment(features: sp.csr_matrix, gate: np.ndarray) -> sp.csr_matrix:
    """``[x, gate * x]`` per row: the shared copy and the target-domain copy."""
    scaled = sp.diags(gate.astype(np.float32)) @ features
    return sp.csr_matrix(sp.hstack([features, scaled]), dtype=np.float32)


def model_path(models_dir: Path, task: str) -> Path:
    return models_dir / task / "model.joblib"


def load_model(models_dir: Path, task: str) -> LinearTextClassifier:
    """The shipped model for ``task`` (``models/<task>/model.joblib``)."""
    path = model_path(models_dir, task)
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no model for {task!r}; run `vnopinion train --task {task}`"
        )
    return LinearTextClassifier.load(path)
