"""Building the in-domain corpus: final labels from two passes, disagreements, the split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.indomain import DATA_DIR, TRAIN_ONLY_WRITERS, build, load_split, near_copy
from nlp.topics import WatchTopics


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    sentiments = ["negative", "neutral", "positive"] * 8
    texts = [
        {"id": f"x-{n:04d}", "kind": "comment", "text": f"bình luận số {n}", "sentiment": s,
         "topics": ["dat_dai"], "style": []}
        for n, s in enumerate(sentiments)
    ]  # fmt: skip
    second = [dict(t) for t in texts]
    second[0] = {**second[0], "sentiment": "neutral"}  # disagrees on sentiment
    second[1] = {**second[1], "topics": []}  # disagrees on topics
    _write(tmp_path / "part-x.jsonl", texts)
    _write(tmp_path / "pass2-x.jsonl", second)
    _write(tmp_path / "adjudicated-x.jsonl", [
        {"id": "x-0000", "sentiment": "negative", "topics": ["dat_dai"], "reason": "phàn nàn"},
        {"id": "x-0001", "sentiment": "neutral", "topics": [], "reason": "không nói về đất"},
    ])  # fmt: skip
    return tmp_path


def test_build_takes_agreed_labels_and_adjudicated_ones(data_dir: Path):
    stats = build(data_dir)
    rows = {r.id: r for r in load_split("train", data_dir) + load_split("dev", data_dir)}
    assert len(rows) == 24
    assert rows["x-0000"].sentiment == "negative"
    assert rows["x-0001"].topics == ()
    assert stats["disagreements"] == 2
    assert stats["agreement"]["x"]["sentiment_agreement"] == pytest.approx(23 / 24)
    assert stats["dev"] == 6  # a quarter of each writer x kind x sentiment group
    recorded = [json.loads(line) for line in (data_dir / "disagreements.jsonl").open()]
    assert {r["id"] for r in recorded} == {"x-0000", "x-0001"}
    assert recorded[0]["pass2"]["sentiment"] == "neutral"
    assert "Cohen's kappa" in (data_dir / "DATA_CARD.md").read_text(encoding="utf-8")


def test_build_is_deterministic(data_dir: Path):
    build(data_dir)
    first = (data_dir / "dev.jsonl").read_bytes()
    build(data_dir)
    assert (data_dir / "dev.jsonl").read_bytes() == first


def test_a_disagreement_without_a_decision_is_an_error(data_dir: Path):
    (data_dir / "adjudicated-x.jsonl").unlink()
    with pytest.raises(ValueError, match="no adjudication"):
        build(data_dir)


def test_shipped_splits_are_disjoint_and_valid():
    if not (DATA_DIR / "dev.jsonl").exists():
        pytest.fail("data/indomain/dev.jsonl is missing: run python -m nlp.indomain")
    train, dev = load_split("train"), load_split("dev")
    assert not {r.id for r in train} & {r.id for r in dev}
    assert not {r.text for r in train} & {r.text for r in dev}
    keys = set(WatchTopics.load().topics)
    for row in train + dev:
        assert row.sentiment in ("negative", "neutral", "positive")
        assert set(row.topics) <= keys
    split = [r for r in train if r.id.split("-")[0] not in TRAIN_ONLY_WRITERS]
    assert len(dev) >= 0.2 * (len(split) + len(dev))
    later = [r for r in train if r.id.split("-")[0] in TRAIN_ONLY_WRITERS]
    assert later  # the train-only writers are in train...
    assert not [r for r in dev if r.id.split("-")[0] in TRAIN_ONLY_WRITERS]  # ...never in dev
    assert not [r.id for r in later if near_copy(r.text, dev)]
