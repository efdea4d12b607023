"""nlp.fast_segment gives underthesea's word_tokenize output, text for text, and falls back to
underthesea when the model is not what it reads."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from nlp import fast_segment
from nlp.crfsuite import UnsupportedModelError, read_crfsuite
from nlp.fast_segment import group_templates, load_segmenter, underthesea_segment
from tests.shared import shared_file

# A few thousand texts of every kind: comments, reviews, headlines, news articles.
SAMPLES = {"vihsd": 800, "uit_vsfc": 600, "uit_victsd": 500, "uit_vsmec": 300, "uit_vion": 500,
           "vntc": 60}  # fmt: skip
EDGE_CASES = [
    "",
    " ",
    "\n\t ",
    "😡😡👍",
    "❤️❤️ 🇻🇳",
    "a",
    "Đ",
    "đ",
    "ĐỒNG Ý",
    "Đồng Ý",
    "đồng ý",
    "Bác Sĩ Bây Giờ Có Thể",
    "BÁC SĨ BÂY GIỜ",
    "iPhone 15 Pro Max",
    "McDonald's",
    "-12 +7 0 007 2147483647 2147483648 -2147483648 -2147483649 +-5 1.000.000 3,5% 2,5",
    "٣ ３ Ⅻ ½ 10^9 1e5",
    "Hello world, this is English.",
    "中文 日本語 한국어 ไทย",
    "ΣΑΣ σας İstanbul Straße ǅemal ẞ ﬁ",
    "a\u0301\u0301\u0301 e\u0300",
    "\u200b\u00a0\u2028x",
    "Tp.HCM, TP.HCM, T.Ư, NĐ-CP, 43H-0530, e-mail a@b.vn, https://vnexpress.net/x?y=1",
    "Giá vàng hôm nay 20/11/2024 lúc 10:20:50 tăng 3x4 lần... ==> v.v. :)) <3 =))",
    "BOS EOS True False BOS EOS",
]


@functools.cache
def fast() -> Callable[[str], str]:
    segment = load_segmenter()
    assert segment is not underthesea_segment, "the fast segmenter fell back to underthesea"
    return segment


def dataset_texts(name: str, limit: int) -> list[str]:
    path = shared_file("datasets", name, "dev.jsonl")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for _, line in zip(range(limit), handle, strict=False)]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "limit"), SAMPLES.items())
def test_identical_to_underthesea_on_shared_datasets(name: str, limit: int) -> None:
    texts = dataset_texts(name, limit)
    differ = [t for t in texts if fast()(t) != underthesea_segment(t)]
    assert differ == [], f"{len(differ)} of {len(texts)} {name} texts differ"


@pytest.mark.parametrize("text", EDGE_CASES)
def test_identical_to_underthesea_on_edge_cases(text: str) -> None:
    assert fast()(text) == underthesea_segment(text)


@pytest.mark.slow
def test_identical_on_a_megabyte() -> None:
    text = "Người dân phản ánh giá điện tăng 2,5% ở TP.HCM 😡. " * 20_000  # about 1 MB
    assert len(text.encode()) > 1_000_000
    assert fast()(text) == underthesea_segment(text)


def test_reads_underthesea_model() -> None:
    model, templates, dictionary = fast_segment._underthesea_model()
    assert model.labels == ("B-W", "I-W")
    assert len(model.state) > 40_000
    assert len(templates) == 43
    assert "hà nội" in dictionary


def test_a_file_that_is_not_crfsuite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "models.bin"
    path.write_bytes(b"lCRF" + bytes(60))
    with pytest.raises(UnsupportedModelError):
        read_crfsuite(path)


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(UnsupportedModelError, match="unknown feature template"):
        group_templates(["T[0]", "T[0].isupper"])


def test_falls_back_to_underthesea_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise UnsupportedModelError("models.bin changed")

    monkeypatch.setattr(fast_segment, "_underthesea_model", broken)
    with caplog.at_level(logging.WARNING, logger="nlp.fast_segment"):
        segment = load_segmenter()
    assert segment is underthesea_segment
    assert "models.bin changed" in caplog.text
