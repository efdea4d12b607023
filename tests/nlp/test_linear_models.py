"""The shipped linear models: quality gate on shared dev sets, training, evaluation, hostile input.

Floors are pinned (STYLE 7): lowering one takes a deliberate commit that says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest

from nlp.datasets import load_split
from nlp.evaluate import evaluate_examples, evaluate_file, format_report
from nlp.linear import LinearConfig, LinearTextClassifier, load_model
from nlp.normalize import normalize
from nlp.watch_model import WatchTopicModel, watch_model_path
from tests.shared import shared_file

MODELS = Path(__file__).resolve().parents[2] / "models"

# (task, dev set, metric, floor). Metric "macro_f1" or "f1:<label>" (that class's F1).
FLOORS = [
    # Retrained with the in-domain corpus (domain-gated features): VSFC 0.8004 -> 0.7986. The
    # rule for that retraining: no public dev set drops more than 0.01 from the VSFC-only model,
    # so the floor is 0.8004 - 0.01 (the 0.80 target was met by the VSFC-only model).
    ("sentiment", "uit_vsfc", "macro_f1", 0.7904),
    # With writers c and d in the in-domain train split (issue 7): VSFC 0.7990.
    # uit_vsmec mapped (not trained on): 0.3633 before, 0.4002, now 0.4357; floor = 0.3633 - 0.01.
    ("sentiment", "uit_vsmec", "macro_f1", 0.3533),
    # In-domain dev (data/indomain, our news comments and leads): target 0.80 met (0.8489,
    # 0.8507 with writers c and d).
    ("sentiment", "indomain", "macro_f1", 0.80),
    ("toxicity", "vihsd", "macro_f1", 0.62),  # target 0.62 met
    # Target 0.55 NOT met: reached 0.437 (linear n-grams, vihsd + victsd); floor = 0.437 - 0.01.
    # Heads, gates and thresholds tried since stay <= 0.51 on dev (DECISIONS in nlp/train.py).
    ("toxicity", "uit_victsd", "f1:toxic", 0.427),
    ("topic", "vntc", "macro_f1", 0.9165),  # no target; reached 0.9265, floor = that - 0.01
]


# Watch topics on in-domain dev (data/indomain), rules + model as the tagger decides them:
# micro-F1. Issue 7's target 0.85: rules alone 0.7985, rules + model 0.8324; with writers c
# and d in train 0.8421; with the rules revised on train 0.8516 (met); floor = 0.8516 - 0.01.
WATCH_TOPICS_DEV_FLOOR = 0.8416


@pytest.fixture(scope="module")
def datasets_dir() -> Path:
    return shared_file("datasets", "README.md").parent


@pytest.mark.slow
@pytest.mark.parametrize(("task", "dataset", "metric", "floor"), FLOORS)
def test_quality_gate(task: str, dataset: str, metric: str, floor: float, datasets_dir: Path):
    model = load_model(MODELS, task)
    result = evaluate_examples(task, load_split(datasets_dir, dataset, "dev"), model)  # type: ignore[arg-type]
    if metric == "macro_f1":
        value = result["macro_f1"]
    else:
        value = result["per_class"][metric.removeprefix("f1:")]["f1"]
    assert value >= floor, f"{task} on {dataset}: {metric} {value:.4f} < floor {floor}\n" + (
        format_report(result)
    )


@pytest.mark.parametrize("task", ["sentiment", "toxicity", "topic"])
def test_shipped_artifact_is_small_and_versioned(task: str):
    path = MODELS / task / "model.joblib"
    assert path.stat().st_size < 20_000_000
    model = load_model(MODELS, task)
    assert model.version.startswith(f"{task}-linear-")
    assert model.metadata["task"] == task
    assert (MODELS / task / "MODEL_CARD.md").exists()
    assert json.loads((MODELS / task / "metrics.json").read_text())["version"] == model.version


@pytest.mark.slow
def test_watch_topics_quality_gate():
    from nlp.indomain import load_split as load_indomain
    from nlp.segment import Segmenter
    from nlp.topics import WatchTopics
    from nlp.train_watch_topics import score

    model = WatchTopicModel.load(watch_model_path(MODELS))
    rules = WatchTopics.load()
    dev = load_indomain("dev")
    segmenter = Segmenter(workers=1)
    try:
        segmented = segmenter.segment_many([normalize(row.text) for row in dev])
    finally:
        segmenter.close()
    proba = model.predict_proba([row.text for row in dev])
    topics = list(rules.topics)
    decided = [model.decide(rules.match(s), p)[0] for s, p in zip(segmented, proba, strict=True)]
    pred = np.array([[t in d for t in topics] for d in decided])
    gold = np.array([[t in row.topics for t in topics] for row in dev])
    result = score(pred, gold, topics)
    assert result["f1"] >= WATCH_TOPICS_DEV_FLOOR, result


POSITIVE = ["rất hay và bổ ích", "thầy dạy nhiệt tình dễ hiểu", "tuyệt vời quá", "rất tốt"]
NEGATIVE = ["quá tệ và nhàm chán", "thầy dạy khó hiểu", "tệ hại quá", "rất chán"]
NEUTRAL = ["hôm nay trời mưa", "lớp học lúc bảy giờ", "môn này ba tín chỉ", "phòng ở tầng hai"]


def _tiny_corpus() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for label, rows in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL)):
        for i in range(4):
            texts += [f"{row} {'!' * i}" for row in rows]
            labels += [label] * len(rows)
    return texts, labels


@pytest.mark.parametrize("kind", ["logreg", "svm"])
def test_tiny_training_round_trip_and_determinism(kind: str, tmp_path: Path):
    texts, labels = _tiny_corpus()
    config = LinearConfig(model=kind, min_df=1, c=4.0, calibration_folds=3)
    first = LinearTextClassifier(config=config, seed=7, version="t-1").fit(texts, labels)
    second = LinearTextClassifier(config=config, seed=7, version="t-1").fit(texts, labels)
    probe = ["rất hay", "quá tệ", "trời mưa", ""]
    assert np.array_equal(first.predict_proba(probe), second.predict_proba(probe))
    first.save(tmp_path / "a.joblib")
    second.save(tmp_path / "b.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()
    loaded = LinearTextClassifier.load(tmp_path / "a.joblib")
    assert loaded.version == "t-1"
    assert np.array_equal(loaded.predict_proba(probe), first.predict_proba(probe))
    predicted = dict(zip(probe[:2], [label for label, _ in loaded.predict(probe[:2])], strict=True))
    assert predicted == {"rất hay": "positive", "quá tệ": "negative"}


def test_domain_gated_training_round_trip_and_determinism(tmp_path: Path):
    texts, labels = _tiny_corpus()
    # A target domain whose words differ: "bài báo" comments, where "chán" is about policy.
    target_texts = ["chính sách này tuyệt vời", "chính sách này quá tệ", "bài báo đăng lúc sáng"]
    target_labels = ["positive", "negative", "neutral"]
    all_texts = texts + target_texts * 4
    all_labels = labels + target_labels * 4
    target = [False] * len(texts) + [True] * len(target_texts) * 4
    config = LinearConfig(model="svm", min_df=1, c=4.0, calibration_folds=3, target_weight=3.0)
    first = LinearTextClassifier(config=config, seed=7, version="g-1")
    first.fit(all_texts, all_labels, target=target)
    second = LinearTextClassifier(config=config, seed=7, version="g-1")
    second.fit(all_texts, all_labels, target=target)
    first.save(tmp_path / "a.joblib")
    second.save(tmp_path / "b.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()
    loaded = LinearTextClassifier.load(tmp_path / "a.joblib")
    assert loaded._coef is not None
    assert loaded._coef.shape[0] == 3 + 3 + 1
    probe = ["rất hay", "quá tệ", "chính sách tuyệt vời", "chính sách tệ", ""]
    proba = loaded.predict_proba(probe)
    assert np.array_equal(proba, first.predict_proba(probe))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert [label for label, _ in loaded.predict(probe[:4])] == [
        "positive",
        "negative",
        "positive",
        "negative",
    ]


def test_plain_model_artifact_keeps_format_1(tmp_path: Path):
    texts, labels = _tiny_corpus()
    model = LinearTextClassifier(config=LinearConfig(min_df=1), version="p").fit(texts, labels)
    model.save(tmp_path / "p.joblib")
    payload = joblib.load(tmp_path / "p.joblib")
    assert payload["format"] == "vnopinion-linear/1"
    assert "target_weight" not in payload["config"]
    assert "gate_intercept" not in payload


def test_evaluate_file_maps_toxicity_to_toxic_and_non_toxic(tmp_path: Path):
    rows = [
        {"text": "đồ ngu như bò", "label": "toxic"},
        {"text": "bài viết rất hay", "label": "non_toxic"},
        {"text": "cảm ơn tác giả", "label": "non_toxic"},
    ]
    texts = ["đồ ngu", "ngu như bò", "thằng ngu", "bài viết hay", "cảm ơn", "rất hay"]
    labels = ["offensive", "hate", "offensive", "clean", "clean", "clean"]
    models = tmp_path / "models"
    LinearTextClassifier(config=LinearConfig(min_df=1), version="t").fit(
        texts * 3, labels * 3
    ).save(models / "toxicity" / "model.joblib")
    data = tmp_path / "victsd.jsonl"
    data.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    result = evaluate_file("toxicity", data, models)
    assert result["confusion"]["labels"] == ["non_toxic", "toxic"]
    assert set(result["per_class"]) == {"non_toxic", "toxic"}
    assert result["n"] == 3
    assert result["per_class"]["toxic"]["support"] == 1
    assert result["accuracy"] == pytest.approx(1.0)
    assert "macro-F1" in format_report(result)


@pytest.mark.parametrize("task", ["sentiment", "toxicity", "topic"])
@pytest.mark.parametrize(
    "text",
    ["", "😂😂😂👍🏻❤️", "This is an English sentence, totally fine.", "ngu " * 262_144],
    ids=["empty", "emoji", "english", "one-megabyte"],
)
def test_hostile_inputs_get_a_label_and_a_score(task: str, text: str):
    model = load_model(MODELS, task)
    [(label, score)] = model.predict([text])
    assert label in model.labels
    assert 0.0 <= score <= 1.0
