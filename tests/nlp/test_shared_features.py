"""Shared n-gram analysis predicts what each linear model predicts on its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.linear import LinearConfig, LinearTextClassifier, load_model, preprocess
from nlp.shared_features import SharedLinearModels
from vnopinion.demo_site.content import load_site

MODELS = Path(__file__).resolve().parents[2] / "models"


def sample_texts() -> list[str]:
    site = load_site()
    comments = [c.text for a in site.articles for c in a.comments]
    articles = ["\n".join([a.title, a.lead, *a.body]) for a in site.articles]
    hostile = ["", "😡😡😡", "The council met on Tuesday.", "ko dc dau ban oi!!!!!"]
    return comments + articles + hostile


@pytest.mark.parametrize("only", [None, ("toxicity",), ("category",)])
def test_shared_analysis_equals_each_model_alone(only: tuple[str, ...] | None):
    models = {
        "sentiment": load_model(MODELS, "sentiment"),
        "toxicity": load_model(MODELS, "toxicity"),
        "category": load_model(MODELS, "topic"),
    }
    texts = sample_texts()
    shared = SharedLinearModels(models).predict(texts, only=only)
    assert set(shared) == set(only or models)
    for name, predictions in shared.items():
        alone = models[name].predict(texts)
        assert [label for label, _ in predictions] == [label for label, _ in alone]
        np.testing.assert_allclose(
            [p for _, p in predictions], [p for _, p in alone], rtol=0, atol=1e-5
        )


def test_binary_model_and_empty_batch():
    texts = ["rất tốt", "rất tệ", "quá hay", "quá dở"] * 3
    labels = ["pos", "neg", "pos", "neg"] * 3
    model = LinearTextClassifier(config=LinearConfig(min_df=1)).fit(texts, labels)
    shared = SharedLinearModels({"binary": model})
    got, alone = shared.predict(texts)["binary"], model.predict(texts)
    assert [label for label, _ in got] == [label for label, _ in alone]
    np.testing.assert_allclose([p for _, p in got], [p for _, p in alone], rtol=0, atol=1e-5)
    assert shared.predict([]) == {"binary": []}


def test_char_ngrams_counted_word_by_word_equal_scikit_learns_counts():
    """The char_wb block is counted from each word's cached columns; the counts (1 + ln tf)
    equal scikit-learn's own CountVectorizer over the same vocabulary, repeats and all."""
    model = load_model(MODELS, "sentiment")
    shared = SharedLinearModels({"sentiment": model})
    [block] = [b for b in model._blocks if b.analyzer == "char_wb"]
    kind = (block.analyzer, block.ngrams)
    texts = [*sample_texts(), "a\tb\n  c   a", "ΣΑΣ όσος Σ", "x" * 3000, "đền bù đền bù đền"]
    clean = [preprocess(text) for text in texts]
    for _ in range(2):  # cold, then from the cache
        ours = shared._count(kind, clean)
        union = shared._analysers[kind].vocabulary
        theirs = block.counter().transform(clean).tocoo()
        columns = np.fromiter((union[t] for t in block.vocabulary), dtype=np.int64)
        expected = np.zeros(ours.shape, dtype=np.float32)
        expected[theirs.row, columns[theirs.col]] = np.log(theirs.data) + 1.0
        np.testing.assert_array_equal(ours.toarray(), expected)
