"""Keywords for word clouds: candidates, ranking, the table artifact and its training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.keywords import (
    IdfTable,
    KeywordExtractor,
    candidate_terms,
    keywords_path,
    load_stopwords,
)
from nlp.train_keywords import KEYWORD_SETS, train_keywords

MODELS = Path(__file__).resolve().parents[2] / "models"
STOPWORDS = load_stopwords()


def test_candidates_drop_stopwords_numbers_punctuation_and_placeholders():
    segmented = "Thủ_tục ở phường quá rườm_rà , không ai trả_lời ! 20 ngày URL @_USER EMAIL 😡"
    assert candidate_terms(segmented, STOPWORDS) == [
        "thủ tục",
        "phường",
        "rườm rà",
        "trả lời",
        "ngày",
    ]


def test_rarer_terms_rank_first_and_compounds_win_ties():
    table = IdfTable(version="t", documents=100, df={"phường": 50, "đền bù": 2, "chậm": 2})
    extractor = KeywordExtractor(table, STOPWORDS)
    assert extractor.extract("phường đền_bù chậm", limit=3) == ["đền bù", "chậm", "phường"]
    assert extractor.extract("phường đền_bù chậm", limit=1) == ["đền bù"]
    assert extractor.extract("", limit=5) == []
    assert extractor.extract("và của là 😡 !!!", limit=5) == []


def test_repeated_terms_outrank_single_mentions_of_equal_rarity():
    table = IdfTable(version="t", documents=100, df={"ngập": 5, "kẹt": 5})
    extractor = KeywordExtractor(table, STOPWORDS)
    assert extractor.extract("kẹt ngập ngập ngập", limit=2) == ["ngập", "kẹt"]


def test_table_round_trips_and_saves_identical_bytes(tmp_path: Path):
    texts = ["Thủ_tục hành_chính rườm_rà", "thủ_tục nhanh", "hành_chính công", "thủ_tục"]
    first = IdfTable.count(texts, "keywords-test", STOPWORDS)
    assert first.df == {"hành chính": 2, "thủ tục": 3}  # seen once: left out
    first.save(tmp_path / "a.json.gz")
    IdfTable.count(texts, "keywords-test", STOPWORDS).save(tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    assert IdfTable.load(tmp_path / "a.json.gz") == first


def test_shipped_table_is_small_and_carded():
    path = keywords_path(MODELS)
    assert path.stat().st_size < 20_000_000
    extractor = KeywordExtractor.load(MODELS)
    assert extractor.version.startswith("keywords-idf-")
    assert extractor.table.documents > 50_000
    assert "Reproduce" in (path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_missing_table_names_the_command(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="vnopinion train --task keywords"):
        KeywordExtractor.load(tmp_path)


def test_train_keywords_writes_table_and_card(tmp_path: Path):
    shared = tmp_path / "datasets"
    rows = [
        {"text": "Người dân phản ánh thủ tục hành chính rườm rà", "label": "x"},
        {"text": "Thủ tục cấp sổ đỏ kéo dài, người dân phản ánh", "label": "x"},
    ]
    for name in KEYWORD_SETS:
        (shared / name).mkdir(parents=True)
        lines = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
        (shared / name / "train.jsonl").write_text(lines + "\n", encoding="utf-8")
    path = train_keywords(shared, tmp_path / "models", progress=False)
    table = IdfTable.load(path)
    assert table.documents == 2 * len(KEYWORD_SETS)
    assert table.df["thủ tục"] == 2 * len(KEYWORD_SETS)
    assert "phản ánh" in table.df
    card = (path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert table.version in card
