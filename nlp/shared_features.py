"""Several linear models on the same texts, each text analysed once.

The sentiment and toxicity models read the same preprocessed text with the same n-gram
analysers (word 1-2 grams, char_wb 2-5 grams); only their vocabularies, IDF and coefficients
differ. Cutting a comment into n-grams and looking them up is most of their cost, so
``SharedLinearModels`` does it once per analyser into the union of the models' vocabularies,
and gives each model its own view: its IDF (zero outside its vocabulary, so the l2 norm is
the one its block would have had) and its coefficients laid out over the union's columns.
The probabilities equal each model's own ``predict_proba`` up to float32 rounding.
Any model over the same blocks can join (the watch-topic model, ``nlp.watch_model``):
``probabilities`` gives every model's raw probability matrix, ``predict`` the labels of the
classifiers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from nlp.linear import LinearTextClassifier, _Block, preprocess

__all__ = ["LinearScorer", "SharedLinearModels"]


class LinearScorer(Protocol):
    """What sharing needs of a model: TF-IDF blocks, linear outputs, and their probabilities."""

    _blocks: list[_Block]
    _coef: np.ndarray | None

    def probabilities(self, scores: np.ndarray) -> np.ndarray: ...


BlockKind = tuple[str, tuple[int, int]]  # (analyzer, n-gram range)


@dataclass
class _Analyser:
    analyse: Callable[[str], list[str]]
    vocabulary: dict[str, int]  # n-gram -> column in the union
    # char_wb only: the n-grams of a text are those of its whitespace-separated words, one
    # word at a time (scikit-learn pads and cuts each word on its own), so a word's known
    # columns are computed once. Vietnamese has a few thousand syllables: nearly all hits.
    word_ngrams: Callable[[str], list[str]] | None = None
    word_columns: dict[str, tuple[int, ...]] = field(default_factory=dict)


MAX_CACHED_WORDS = 200_000


@dataclass
class _ModelBlock:
    kind: BlockKind
    idf: np.ndarray  # over the union's columns, zero outside this model's vocabulary
    coef_t: np.ndarray  # (union columns, classes)


@dataclass
class _FusedBlocks:
    """The blocks of one kind of several models: ``weights`` is (union columns, their
    outputs side by side) = idf * coef; ``squared_idf`` (union columns, one per block) gives
    each block's l2 norm; ``spans`` says which outputs are whose."""

    weights: np.ndarray
    squared_idf: np.ndarray
    spans: list[tuple[str, int, int]]


class SharedLinearModels:
    """Predicts every model in ``models`` (by name) on one batch of texts."""

    def __init__(self, models: Mapping[str, LinearScorer]) -> None:
        self.models: dict[str, LinearScorer] = dict(models)
        self._analysers: dict[BlockKind, _Analyser] = {}
        for model in models.values():
            for block in model._blocks:
                kind = (block.analyzer, block.ngrams)
                if kind not in self._analysers:
                    counter = block.counter()
                    analyse = counter.build_analyzer()
                    per_word = counter._char_wb_ngrams if block.analyzer == "char_wb" else None
                    self._analysers[kind] = _Analyser(analyse, {}, per_word)
                vocabulary = self._analysers[kind].vocabulary
                for term in block.vocabulary:
                    vocabulary.setdefault(term, len(vocabulary))
        self._blocks = {name: self._layout(model) for name, model in models.items()}
        self._fused_cache: dict[tuple[BlockKind, tuple[str, ...]], _FusedBlocks] = {}

    def _layout(self, model: LinearScorer) -> list[_ModelBlock]:
        if model._coef is None:
            raise RuntimeError("the model is not fitted: call fit() or load() first")
        blocks = []
        offset = 0
        for block in model._blocks:
            kind = (block.analyzer, block.ngrams)
            union = self._analysers[kind].vocabulary
            columns = np.fromiter((union[t] for t in block.vocabulary), dtype=np.int64)
            idf = np.zeros(len(union), dtype=np.float32)
            idf[columns] = block.idf
            coef = np.zeros((len(union), model._coef.shape[0]), dtype=np.float32)
            coef[columns] = model._coef[:, offset : offset + len(columns)].T
            blocks.append(_ModelBlock(kind, idf, coef))
            offset += len(columns)
        return blocks

    def _fused(self, kind: BlockKind, names: tuple[str, ...]) -> _FusedBlocks:
        """Every model's block of ``kind`` as two matrices over the union's columns."""
        key = (kind, names)
        fused = self._fused_cache.get(key)
        if fused is None:
            blocks = [(name, b) for name in names for b in self._blocks[name] if b.kind == kind]
            weights = np.hstack([b.idf[:, np.newaxis] * b.coef_t for _, b in blocks])
            squared_idf = np.column_stack([b.idf * b.idf for _, b in blocks])
            spans, start = [], 0
            for name, block in blocks:
                spans.append((name, start, start + block.coef_t.shape[1]))
                start += block.coef_t.shape[1]
            fused = self._fused_cache[key] = _FusedBlocks(weights, squared_idf, spans)
        return fused

    def predict(
        self, texts: Sequence[str], only: Sequence[str] | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """Model name -> (label, probability) per text, for the classifiers or those in ``only``."""
        if only is None:
            only = [n for n, m in self.models.items() if isinstance(m, LinearTextClassifier)]
        result = {}
        for name, proba in self.probabilities(texts, only).items():
            model = self.models[name]
            if not isinstance(model, LinearTextClassifier):
                raise TypeError(f"{name!r} is not a classifier: ask for its probabilities")
            result[name] = model.labelled(proba) if len(texts) else []
        return result

    def probabilities(
        self, texts: Sequence[str], only: Sequence[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Model name -> its probabilities, shape (len(texts), outputs), for ``only`` or all."""
        names = list(only) if only is not None else list(self.models)
        if not texts:
            return {name: np.zeros((0, 0)) for name in names}
        clean = [preprocess(text) for text in texts]
        scores = {name: np.zeros((len(texts), self._outputs(name))) for name in names}
        kinds = sorted({block.kind for name in names for block in self._blocks[name]})
        for kind in kinds:
            # score = (tf * idf / |tf * idf|) @ coef = (tf @ (idf * coef)) / sqrt(tf^2 @ idf^2):
            # every model's block of this kind in two products instead of one pass per model.
            counts = self._count(kind, clean)
            fused = self._fused(kind, tuple(n for n in names if self._has(n, kind)))
            raw = np.asarray(counts @ fused.weights)
            norms = np.sqrt(np.asarray(counts.multiply(counts) @ fused.squared_idf))
            norms[norms == 0] = 1.0
            for m, (name, start, end) in enumerate(fused.spans):
                scores[name] += raw[:, start:end] / norms[:, m : m + 1]
        return {name: self.models[name].probabilities(scores[name]) for name in names}

    def _outputs(self, name: str) -> int:
        return int(self._blocks[name][0].coef_t.shape[1])

    def _has(self, name: str, kind: BlockKind) -> bool:
        return any(block.kind == kind for block in self._blocks[name])

    def _count(self, kind: BlockKind, clean: Sequence[str]) -> sp.csr_matrix:
        """Sublinear term counts (1 + ln tf) over the union vocabulary of ``kind``."""
        analyser = self._analysers[kind]
        lookup = analyser.vocabulary.get
        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        if analyser.word_ngrams is not None:
            return self._count_by_word(analyser, clean)
        for text in clean:
            for term, count in Counter(analyser.analyse(text)).items():
                column = lookup(term)
                if column is not None:
                    indices.append(column)
                    values.append(count)
            indptr.append(len(indices))
        return _sublinear(indices, values, indptr, (len(clean), len(analyser.vocabulary)))

    @staticmethod
    def _count_by_word(analyser: _Analyser, clean: Sequence[str]) -> sp.csr_matrix:
        """``_count`` for char_wb blocks, from each word's cached columns (counted in numpy)."""
        assert analyser.word_ngrams is not None  # noqa: S101 (only char_wb analysers get here)
        lookup = analyser.vocabulary.get
        cache = analyser.word_columns
        columns: list[int] = []
        lengths: list[int] = []
        for text in clean:
            before = len(columns)
            for word in text.split():
                known = cache.get(word)
                if known is None:
                    found = (lookup(term) for term in analyser.word_ngrams(word))
                    known = tuple(column for column in found if column is not None)
                    if len(cache) < MAX_CACHED_WORDS:
                        cache[word] = known
                columns.extend(known)
            lengths.append(len(columns) - before)
        width = len(analyser.vocabulary)
        rows = np.repeat(np.arange(len(clean), dtype=np.int64), lengths)
        keys, counts = np.unique(rows * width + np.asarray(columns, dtype=np.int64),
                                 return_counts=True)  # fmt: skip
        data = np.log(counts.astype(np.float32)) + np.float32(1.0)
        shape = (len(clean), width)
        return sp.csr_matrix((data, (keys // width, keys % width)), shape=shape)


def _sublinear(
    indices: list[int], values: list[int], indptr: list[int], shape: tuple[int, int]
) -> sp.csr_matrix:
    """Counts as a CSR matrix with 1 + ln(count) values."""
    data = np.log(np.asarray(values, dtype=np.float32)) + np.float32(1.0)
    return sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), indptr), shape=shape)
