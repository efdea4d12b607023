"""The watch-topic model beside the rules: training, artifact, shared scoring, the decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.linear import LinearConfig, load_model
from nlp.shared_features import SharedLinearModels
from nlp.watch_model import WatchTopicModel, watch_model_path

MODELS = Path(__file__).resolve().parents[2] / "models"

TEXTS = [
    ("đền bù đất quá thấp", ["dat_dai"]),
    ("thu hồi đất mà không bồi thường", ["dat_dai"]),
    ("giá xăng lại tăng rồi", ["gia_ca_doi_song"]),
    ("tiền chợ tăng mà lương không tăng", ["gia_ca_doi_song"]),
    ("đất nông nghiệp bị thu hồi, giá cả thì tăng", ["dat_dai", "gia_ca_doi_song"]),
    ("chuẩn", []),
]


def _fit(seed: int = 7) -> WatchTopicModel:
    texts = [t for t, _ in TEXTS] * 3
    labels = [topics for _, topics in TEXTS] * 3
    model = WatchTopicModel(config=LinearConfig(min_df=1, c=10.0), seed=seed, version="w-1")
    return model.fit(texts, labels, ["dat_dai", "gia_ca_doi_song"])


def test_training_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    first, second = _fit(), _fit()
    first.thresholds, first.vetoes = [0.6, 0.7], [0.05, 0.0]
    second.thresholds, second.vetoes = [0.6, 0.7], [0.05, 0.0]
    first.save(tmp_path / "a.joblib")
    second.save(tmp_path / "b.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()
    loaded = WatchTopicModel.load(tmp_path / "a.joblib")
    assert (loaded.topics, loaded.thresholds, loaded.vetoes) == (
        ["dat_dai", "gia_ca_doi_song"], [0.6, 0.7], [0.05, 0.0]
    )  # fmt: skip
    probe = ["đền bù đất", "giá xăng tăng", ""]
    proba = loaded.predict_proba(probe)
    assert np.array_equal(proba, first.predict_proba(probe))
    assert proba[0, 0] > proba[0, 1]
    assert proba[1, 1] > proba[1, 0]


def test_decide_keeps_vetoes_and_adds() -> None:
    model = WatchTopicModel(topics=["a", "b"], thresholds=[0.8, 0.8], vetoes=[0.1, 0.0])
    # a rule match above its veto stands, with its terms; a topic the model alone is sure of
    # is added without terms; a topic the model does not know is the rules' alone
    topics, kept = model.decide({"a": ["đền bù"], "new": ["x"]}, np.array([0.3, 0.9]))
    assert topics == ["a", "b", "new"]
    assert kept == {"a": ["đền bù"], "new": ["x"]}
    # a confident disagreement vetoes a rule match; a veto of 0 never fires
    assert model.decide({"a": ["đền bù"], "b": ["giá"]}, np.array([0.05, 0.0])) == (
        ["b"], {"b": ["giá"]}
    )  # fmt: skip


def test_shipped_model_shares_features_with_the_classifiers() -> None:
    watch = WatchTopicModel.load(watch_model_path(MODELS))
    assert watch.version.startswith("watch_topics-linear-indomain-")
    assert (MODELS / "watch_topics" / "MODEL_CARD.md").exists()
    assert watch_model_path(MODELS).stat().st_size < 5_000_000
    texts = ["Đền bù đất quá thấp, dân khổ", "gia xang tang hoai ko chiu noi", "", "😡"]
    shared = SharedLinearModels(
        {"sentiment": load_model(MODELS, "sentiment"), "watch_topics": watch}
    )
    together = shared.probabilities(texts)
    np.testing.assert_allclose(together["watch_topics"], watch.predict_proba(texts), atol=1e-5)
    assert set(shared.predict(texts)) == {"sentiment"}  # labels only for classifiers
