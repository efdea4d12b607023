"""extract_entities: BIO merging and cleaning (tagger stubbed), then the real underthesea NER."""

from __future__ import annotations

import time

import pytest

import nlp.entities as entities
from indexer.documents import Entities
from nlp.entities import extract_entities, extract_entities_many


def _stub(monkeypatch: pytest.MonkeyPatch, tagged: list[tuple[str, str]]) -> None:
    monkeypatch.setattr(entities, "_tag", lambda chunk: tagged)


def test_bio_runs_merge_into_names(monkeypatch: pytest.MonkeyPatch) -> None:
    _stub(
        monkeypatch,
        [
            ("Ông", "O"),
            ("Nguyễn Văn", "B-PER"),
            ("An", "I-PER"),
            ("làm việc", "O"),
            ("Ủy ban", "B-ORG"),
            ("nhân dân", "I-ORG"),
            ("xã", "B-LOC"),
            ("Thanh Trì", "I-LOC"),
            (",", "O"),
            ("Hà Nội", "B-LOC"),
            ("Hải Phòng", "B-LOC"),  # B after B: two names
            ("Cần Thơ", "I-LOC"),  # continues Hải Phòng: the tagger's call
        ],
    )
    assert extract_entities("x") == Entities(
        per=["Nguyễn Văn An"],
        org=["Ủy ban nhân dân"],
        loc=["xã Thanh Trì", "Hà Nội", "Hải Phòng Cần Thơ"],
    )


def test_stray_inside_tag_starts_a_name_and_kinds_do_not_mix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stub(monkeypatch, [("Đà Nẵng", "I-LOC"), ("Vingroup", "I-ORG"), ("MISC", "B-MISC")])
    assert extract_entities("x") == Entities(loc=["Đà Nẵng"], org=["Vingroup"])


def test_names_are_nfc_stripped_deduplicated_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    nfd_hanoi = "Ha\u0300 Nô\u0323i"
    _stub(
        monkeypatch,
        [
            ("Hà Nội", "B-LOC"),
            ("Huế", "B-LOC"),
            (nfd_hanoi, "B-LOC"),
            ("“Hà Nội”", "B-LOC"),
            ("  Huế ,", "B-LOC"),
        ],
    )
    assert extract_entities("x").loc == ["Hà Nội", "Huế"]


def test_noise_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    _stub(
        monkeypatch,
        [("A", "B-PER"), ("7", "B-LOC"), ("...", "B-ORG"), ("😀 😀", "B-LOC"), ("-", "B-PER")],
    )
    assert extract_entities("x") == Entities()


def test_long_sentences_are_chunked_and_the_text_is_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(entities, "_tag", lambda chunk: seen.append(chunk) or [])
    extract_entities("từ " * 1_000_000)  # one 3 MB "sentence" without punctuation
    assert sum(len(c) for c in seen) <= entities.MAX_CHARS
    assert max(len(c) for c in seen) <= entities.CHUNK_CHARS


def test_empty_and_blank_texts_never_call_the_tagger(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(chunk: str) -> list[tuple[str, str]]:
        raise AssertionError("tagger called")

    monkeypatch.setattr(entities, "_tag", fail)
    assert extract_entities_many(["", "  \n\t "]) == [Entities(), Entities()]


# The real model (loads in about a second on first use).


def test_real_ner_on_a_news_sentence() -> None:
    found = extract_entities(
        "Chiều 5/8, Bộ trưởng Đào Hồng Lan làm việc tại Bệnh viện Bạch Mai, Hà Nội. "
        "Ông Nguyễn Văn An sống ở Hà Nội."
    )
    # The model's own calls ("Bộ trưởng Đào Hồng Lan" comes out as a LOC) are not ours to test.
    assert found.per == ["Nguyễn Văn An"]
    assert found.loc.count("Hà Nội") == 1


def test_real_ner_batch_keeps_order() -> None:
    results = extract_entities_many(
        ["Ông Nguyễn Văn An sống ở Hà Nội.", "", "Người dân Đà Nẵng phản ánh."]
    )
    assert len(results) == 3
    assert "Hà Nội" in results[0].loc
    assert results[1] == Entities()
    assert "Đà Nẵng" in results[2].loc


@pytest.mark.parametrize(
    "text", ["😀😀😀 !!! ...", "Hello world, this is plain English.", "\x00\ufeff\u200b"]
)
def test_real_ner_hostile_short_inputs(text: str) -> None:
    found = extract_entities(text)
    for name in found.per + found.org + found.loc:
        assert sum(ch.isalpha() for ch in name) >= 2


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    ["Người dân xã Thanh Trì, Hà Nội phản ánh. " * 25_000, "a" * 1_000_000, "Hà Nội " * 150_000],
)
def test_real_ner_on_a_megabyte_is_bounded(text: str) -> None:
    extract_entities("khởi động")  # load the model outside the timing
    started = time.perf_counter()
    extract_entities(text)
    assert time.perf_counter() - started < 10.0
