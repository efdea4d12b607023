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
        kinds = {block.kind for name in names for block in self._blocks[name]}
        counts = {kind: self._count(kind, clean) for kind in kinds}
        result = {}
        for name in names:
            outputs = self._blocks[name][0].coef_t.shape[1]
            scores = np.zeros((len(texts), outputs))
            for block in self._blocks[name]:
                weighted = sp.csr_matrix(
                    counts[block.kind].multiply(block.idf[np.newaxis, :]), dtype=np.float32
                )
                norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
                norms[norms == 0] = 1.0
                weighted = sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ weighted)
                scores += weighted @ block.coef_t
            result[name] = self.models[name].probabilities(scores)
        return result

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
