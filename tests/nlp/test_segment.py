"""Segmentation equals underthesea's own output, in workers, cached, and on hostile input."""

from __future__ import annotations

import pytest
from underthesea import word_tokenize

from nlp.segment import MAX_CHARS, Segmenter, segment_text
from vnopinion.demo_site.content import load_site


def sample_texts() -> list[str]:
    site = load_site()
    comments = [c.text for a in site.articles for c in a.comments]
    return comments + [" ".join(a.body) for a in site.articles[:4]]


@pytest.mark.slow
def test_parallel_output_is_identical_to_underthesea() -> None:
    texts = sample_texts()
    with Segmenter(workers=2) as segmenter:
        got = segmenter.segment_many(texts)
    assert got == [word_tokenize(t, format="text") for t in texts]


def test_repeated_short_texts_come_from_the_cache() -> None:
    segmenter = Segmenter(workers=1)
    first = segmenter.segment_many(["Đồng ý với bạn", "Thủ tục hành chính rườm rà"])
    assert segmenter._cached("Đồng ý với bạn") == first[0]
    again = segmenter.segment_many(["Đồng ý với bạn"] * 3)
    assert again == [first[0]] * 3
    assert first[1] == "Thủ_tục hành_chính rườm_rà"


def test_hostile_inputs_do_not_crash() -> None:
    segmenter = Segmenter(workers=1)
    huge = "Người dân phản ánh giá điện tăng. " * 40_000  # about 1.3 MB
    empty, emoji, english, long = segmenter.segment_many(["", "😡😡👍", "Hello world", huge])
    assert empty == ""
    assert emoji == "😡 😡 👍"
    assert english == "Hello world"
    assert long.startswith("Người_dân phản_ánh giá điện tăng")
    assert long == segment_text(huge[:MAX_CHARS])
