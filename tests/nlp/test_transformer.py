"""The transformer backend on a tiny BERT built here (no download): fit, predict, save, CLI.

torch and transformers are the extra ``vnopinion[transformer]``. Without them the tests that
need them are skipped with the reason, except under CI=true (``.ci/run`` installs the extra),
where they fail.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.classifier import ModelNotFoundError, load_classifier
from nlp.datasets import DEV_SETS, TRAIN_SETS
from nlp.linear import LinearTextClassifier
from nlp.transformer import META_FILE, TransformerTextClassifier, TransformerUnavailableError
from tests.conftest import cli_env, run_cli
from vnopinion.settings import Settings

LABELS = ("negative", "neutral", "positive")
# No word is shared between classes: a pattern any classifier must find (the suffixes are noise).
POSITIVE = ["bài hay và bổ ích", "thầy nhiệt tình dễ hiểu", "tuyệt vời", "tốt lắm"]
NEGATIVE = ["nhàm chán", "khó theo kịp, dở tệ", "tệ hại", "chán ghê"]
NEUTRAL = ["hôm nay trời mưa", "lớp học lúc bảy giờ", "môn này ba tín chỉ", "phòng ở tầng hai"]
# The tiny model's positions: fewer than the default max_length, so truncation must cap it.
POSITIONS = 64


def _toy_set() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for label, rows in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL)):
        for suffix in ("", " !", " nhé", " ạ"):
            texts += [row + suffix for row in rows]
            labels += [label] * len(rows)
    return texts, labels


def _require_extra() -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        reason = f"{exc.name} is not installed: pip install -e '.[transformer]'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI installs the transformer extra, yet {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 2-layer BERT encoder (hidden size 32) and a WordPiece vocabulary of the toy words."""
    _require_extra()
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    base = tmp_path_factory.mktemp("tiny-bert")
    texts, _ = _toy_set()
    words = sorted({word for text in texts for word in re.findall(r"\w+|[^\w\s]", text.lower())})
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    (base / "vocab.txt").write_text("\n".join(specials + words) + "\n", encoding="utf-8")
    # Positional: the vocabulary argument is vocab_file in transformers 4 and vocab in 5.
    tokenizer = BertTokenizerFast(str(base / "vocab.txt"), do_lower_case=True, strip_accents=False)
    config = BertConfig(
        vocab_size=len(specials) + len(words),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=POSITIONS,
        initializer_range=0.2,  # BERT's 0.02 left a model this small stuck on one class
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(base)
    tokenizer.save_pretrained(base)
    # One thread: a tiny model gains nothing from two, and loses 100x when the cores are busy.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield base
    torch.set_num_threads(threads)


def _fitted(base: Path, seed: int = 7) -> TransformerTextClassifier:
    model = TransformerTextClassifier.from_base(base, LABELS, version="t-1", seed=seed)
    texts, labels = _toy_set()
    return model.fit(texts, labels, epochs=10, batch_size=8, learning_rate=3e-3, seed=seed)


@pytest.fixture(scope="module")
def fitted(tiny_base: Path) -> TransformerTextClassifier:
    return _fitted(tiny_base)


def test_fit_learns_the_toy_pattern(tiny_base: Path, fitted: TransformerTextClassifier):
    texts, labels = _toy_set()
    untrained = TransformerTextClassifier.from_base(tiny_base, LABELS, seed=7)
    assert untrained.labels == list(LABELS)
    before = untrained.predict_proba(texts)
    after = fitted.predict_proba(texts)
    assert not np.allclose(before, after)
    predicted = [label for label, _ in fitted.predict(texts)]
    accuracy = np.mean([label == gold for label, gold in zip(predicted, labels, strict=True)])
    assert accuracy >= 0.9, f"train accuracy {accuracy:.2f}"
    assert fitted.metadata["training"]["examples"] == len(texts)


def test_predict_contract(fitted: TransformerTextClassifier):
    texts = ["rất hay", "quá tệ", "hôm nay trời mưa"]
    proba = fitted.predict_proba(texts)
    assert proba.shape == (3, len(LABELS))
    assert np.allclose(proba.sum(axis=1), 1.0)
    predicted = fitted.predict(texts)
    assert [label for label, _ in predicted] == [LABELS[i] for i in proba.argmax(axis=1)]
    assert [score for _, score in predicted] == pytest.approx(proba.max(axis=1).tolist())
    assert fitted.predict_proba([]).shape == (0, len(LABELS))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😂😂😂👍🏻❤️", "rất hay " * 50_000, "x" * 1_000_000],
    ids=["empty", "spaces", "emoji", "long", "one-megabyte-word"],
)
def test_hostile_inputs_get_a_label_and_a_score(fitted: TransformerTextClassifier, text: str):
    [(label, score)] = fitted.predict([text])
    assert label in LABELS
    assert 0.0 <= score <= 1.0
    assert fitted.token_limit == POSITIONS


def test_save_then_load_predicts_the_same(fitted: TransformerTextClassifier, tmp_path: Path):
    fitted.save(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / META_FILE).read_text(encoding="utf-8"))
    assert meta["format"] == "vnopinion-transformer/1"
    assert meta["labels"] == list(LABELS)
    assert (tmp_path / "model" / "model.safetensors").exists()
    loaded = TransformerTextClassifier.load(tmp_path / "model")
    assert (loaded.labels, loaded.version, loaded.metadata) == (
        fitted.labels, fitted.version, fitted.metadata,
    )  # fmt: skip
    probe = ["rất hay", "quá tệ", "", "phòng ở tầng hai " * 40]
    assert np.array_equal(loaded.predict_proba(probe), fitted.predict_proba(probe))


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def test_a_gpu_asked_for_where_there_is_none_is_refused_clearly(tiny_base: Path):
    if _cuda_available():
        pytest.skip("this machine has a CUDA GPU: the refusal cannot happen here")
    with pytest.raises(TransformerUnavailableError, match="sees no CUDA GPU"):
        TransformerTextClassifier.from_base(tiny_base, LABELS, device="cuda")
    assert TransformerTextClassifier.from_base(tiny_base, LABELS, device="auto").device == "cpu"


@pytest.mark.skipif(
    not _cuda_available(),
    reason="needs a CUDA GPU (none here); on a GPU machine: pytest tests/nlp/test_transformer.py "
    "-k gpu",
)
def test_gpu_fits_and_predicts_what_the_cpu_predicts(
    fitted: TransformerTextClassifier, tiny_base: Path, tmp_path: Path
):
    """The same weights on the GPU and on the CPU give the same probabilities; fitting on the
    GPU learns the toy pattern too."""
    fitted.save(tmp_path / "model")
    on_gpu = TransformerTextClassifier.load(tmp_path / "model", device="cuda")
    on_cpu = TransformerTextClassifier.load(tmp_path / "model", device="cpu")
    assert on_gpu.device == "cuda"
    probe = ["rất hay", "quá tệ", "", "phòng ở tầng hai " * 40]
    assert np.allclose(on_gpu.predict_proba(probe), on_cpu.predict_proba(probe), atol=1e-4)
    texts, labels = _toy_set()
    trained = TransformerTextClassifier.from_base(tiny_base, LABELS, seed=7, device="cuda")
    trained.fit(texts, labels, epochs=10, batch_size=8, learning_rate=3e-3, seed=7)
    assert trained.metadata["training"]["device"] == "cuda"
    predicted = [label for label, _ in trained.predict(texts)]
    accuracy = np.mean([label == gold for label, gold in zip(predicted, labels, strict=True)])
    assert accuracy >= 0.9, f"train accuracy on the GPU {accuracy:.2f}"


def test_training_is_seeded(tiny_base: Path, fitted: TransformerTextClassifier):
    probe = ["rất hay", "quá tệ", "trời mưa"]
    assert np.array_equal(_fitted(tiny_base).predict_proba(probe), fitted.predict_proba(probe))


def test_load_classifier_picks_the_backend(fitted: TransformerTextClassifier, tmp_path: Path):
    fitted.save(tmp_path / "sentiment" / "transformer")
    model = load_classifier(tmp_path, "sentiment", backend="transformer")
    assert isinstance(model, TransformerTextClassifier)
    linear = load_classifier(Path(__file__).resolve().parents[2] / "models", "sentiment")
    assert isinstance(linear, LinearTextClassifier)


@pytest.mark.parametrize(
    ("backend", "command"),
    [
        ("linear", "vnopinion train --task toxicity --backend linear"),
        ("transformer", "vnopinion train --task toxicity --backend transformer --base"),
    ],
)
def test_a_missing_model_says_how_to_make_it(backend: str, command: str, tmp_path: Path):
    with pytest.raises(ModelNotFoundError) as caught:
        load_classifier(tmp_path, "toxicity", backend=backend)
    assert isinstance(caught.value, FileNotFoundError)
    assert command in caught.value.hint


def test_a_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(TransformerUnavailableError) as caught:
        TransformerTextClassifier.from_base(tmp_path, LABELS)
    assert "pip install 'vnopinion[transformer]'" in caught.value.hint
    assert isinstance(caught.value, ImportError)


def test_a_base_that_is_not_a_checkpoint_is_refused(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"no config\.json"):
        TransformerTextClassifier.from_base(tmp_path, LABELS)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def datasets_dir(tmp_path: Path) -> Path:
    """uit_vsfc train/dev and uit_vsmec dev: what sentiment training reads."""
    texts, labels = _toy_set()
    rows = [{"text": text, "label": label} for text, label in zip(texts, labels, strict=True)]
    root = tmp_path / "datasets"
    _write_jsonl(root / "uit_vsfc" / "train.jsonl", rows)
    _write_jsonl(root / "uit_vsfc" / "dev.jsonl", rows[::4])
    emotions = [{"text": "vui quá", "label": "enjoyment"}, {"text": "buồn ghê", "label": "sadness"},
                {"text": "bình thường", "label": "other"}]  # fmt: skip
    _write_jsonl(root / "uit_vsmec" / "dev.jsonl", emotions)
    return root


def test_cli_trains_and_evaluates_a_transformer(
    tiny_base: Path, datasets_dir: Path, tmp_path: Path
):
    models = tmp_path / "models"
    env = cli_env(
        Settings(_env_file=None, data_dir=tmp_path),  # type: ignore[call-arg]
        VNOPINION_MODELS_DIR=str(models),
        VNOPINION_DATASETS_DIR=str(datasets_dir),
        OMP_NUM_THREADS="1",
    )
    result = run_cli(
        "train", "--task", "sentiment", "--backend", "transformer", "--base", str(tiny_base),
        "--limit", "40", "--epochs", "2", "--batch-size", "8", "--learning-rate", "0.003",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = models / "sentiment" / "transformer"
    assert "sentiment-transformer-" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    # --limit 40 rows per training set: the shared one written here and the project's indomain.
    assert metrics["train_sizes"] == {name: 40 for name in TRAIN_SETS["sentiment"]}
    assert metrics["params"]["limit"] == 40
    assert set(metrics["dev"]) == set(DEV_SETS["sentiment"])  # indomain comes from the project
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needle in (str(tiny_base), "macro-F1", "Confusion", "0 = `negative`", "--limit 40"):
        assert needle in card
    assert not (models / "sentiment" / "model.joblib").exists()

    dev = datasets_dir / "uit_vsfc" / "dev.jsonl"
    args = ("eval", "--task", "sentiment", "--data", str(dev), "--json")
    result = run_cli(*args, "--backend", "transformer", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == len(_toy_set()[0][::4])
    assert set(report["per_class"]) == set(LABELS)
    assert report["macro_f1"] == pytest.approx(metrics["dev"]["uit_vsfc"]["macro_f1"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "transformer"], "--backend transformer needs --base"),
        (["--base", "."], "--base: only for --backend transformer"),
        (["--epochs", "2"], "--epochs: only for --backend transformer"),
    ],
)
def test_cli_train_refuses_mixed_up_options(args: list[str], message: str, tmp_path: Path):
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    result = run_cli("train", "--task", "sentiment", *args, env=env)
    assert result.returncode == 1
    assert message in result.stderr


def test_cli_eval_uses_the_backend_setting(tmp_path: Path):
    data = tmp_path / "dev.jsonl"
    _write_jsonl(data, [{"text": "rất hay", "label": "positive"}])
    env = cli_env(
        Settings(_env_file=None, data_dir=tmp_path),  # type: ignore[call-arg]
        VNOPINION_MODELS_DIR=str(tmp_path / "models"),
        VNOPINION_NLP_BACKEND="transformer",
    )
    result = run_cli("eval", "--task", "sentiment", "--data", str(data), env=env)
    assert result.returncode == 1
    assert "No transformer model for 'sentiment'" in result.stderr
    assert "vnopinion train --task sentiment --backend transformer --base" in result.stderr


def test_the_tagger_runs_on_the_transformer_backend(
    tiny_base: Path, fitted: TransformerTextClassifier, tmp_path: Path
):
    from datetime import UTC, datetime

    from indexer.documents import Comment
    from nlp.tagger import Tagger

    shipped = Path(__file__).resolve().parents[2] / "models"
    fitted.save(tmp_path / "sentiment" / "transformer")
    toxicity = TransformerTextClassifier.from_base(
        tiny_base, ("clean", "offensive", "hate"), version="tox-t", seed=7
    )
    toxicity.save(tmp_path / "toxicity" / "transformer")
    for linear_only in ("topic", "keywords", "watch_topics"):
        (tmp_path / linear_only).symlink_to(shipped / linear_only)
    comment = Comment(id="c", source="s", source_name="S", url="u", parent_id="a",
                      thread_id="a", text="tuyệt vời", crawled_at=datetime.now(UTC))  # fmt: skip
    with Tagger(tmp_path, workers=1, entities=False, backend="transformer") as tagger:
        [tagged] = tagger.tag([comment])
    assert tagged.sentiment is not None
    assert tagged.sentiment.label == fitted.predict(["tuyệt vời"])[0][0] == "positive"
    assert tagged.toxicity is not None
    assert tagged.toxicity.label in ("clean", "offensive", "hate")
    assert "sentiment=t-1" in (tagged.model_version or "")
