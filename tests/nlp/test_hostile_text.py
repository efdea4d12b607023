"""Properties of normalisation, segmentation and tagging on hostile text (marker ``hostile``).

normalize never raises, returns NFC, and is idempotent; segment_text never raises, equals
underthesea's own output, and a megabyte finishes (the MAX_CHARS cap); the tagger never
changes a document's text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from underthesea import word_tokenize

from indexer.documents import Article, Comment
from nlp.normalize import collapse_stretches, normalize, normalize_for_match, place_tones
from nlp.segment import MAX_CHARS, segment_text
from nlp.tagger import Tagger
from tests.hostile import FEW, VERY_FEW, finishes_within, informal_text, megabyte
from vnopinion.settings import Settings

pytestmark = pytest.mark.hostile

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@FEW
@given(informal_text())
@example("Thủ tục ở phường mình nhanh quáaaa, ko phải chờ lâu 👍")
@example("hoà thuỷ qúa gìa")
@example("a\u0301\u0301\u0301")  # stacked tone marks
@example("\ufffe\x00\u202e")
def test_normalize_never_raises_and_returns_nfc(text: str) -> None:
    out = normalize(text)
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out
    folded = normalize_for_match(text)
    assert folded == folded.lower()


@FEW
@given(informal_text())
@example("quáaaa đẹppppp!!! ...... hoà")
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@FEW
@given(st.text(max_size=200))
def test_stretches_and_tones_are_idempotent_on_any_text(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    collapsed = collapse_stretches(nfc)
    assert collapse_stretches(collapsed) == collapsed
    placed = place_tones(nfc)
    assert place_tones(placed) == placed


def test_normalize_of_a_megabyte_finishes() -> None:
    hostile = megabyte("quáaaaaa ko 😡😡 https://x.vn/" + "a" * 50 + " ")
    with finishes_within(60, "normalize of 1 MB"):
        out = normalize(hostile)
    assert out.startswith("quá không 😡 😡 URL")


@VERY_FEW
@given(informal_text(max_size=120))
@example("Người dân phản ánh thủ tục hành chính rườm rà")
@example("\x1c\x1d")  # whitespace to str.strip, not to every tokenizer
@example("😡😡👍")
def test_segment_text_equals_underthesea(text: str) -> None:
    got = segment_text(text)
    if not text.strip():
        assert got == ""
    else:
        assert got == word_tokenize(text, format="text")


def test_segment_text_of_a_megabyte_is_capped() -> None:
    huge = megabyte("Người dân phản ánh giá điện tăng. ")
    with finishes_within(120, "segment_text of 1 MB"):
        got = segment_text(huge)
    assert got == word_tokenize(huge[:MAX_CHARS], format="text")


@pytest.fixture(scope="module")
def tagger() -> Iterator[Tagger]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with Tagger(settings.models_dir, workers=1, entities=False) as tagger:
        yield tagger


@VERY_FEW
@given(informal_text(max_size=150), informal_text(max_size=150))
@example("Chờ tiền đền bù mỏi mòn quáaaa ko ai trả lời 😡", "hoà  thuỷ\u0301 \x00")
def test_the_tagger_never_changes_the_text(tagger: Tagger, title: str, text: str) -> None:
    article = Article(id="a1", source="s", source_name="S", url="u", title=title or "t",
                      text=text, crawled_at=NOW)  # fmt: skip
    comment = Comment(id="c1", source="s", source_name="S", url="u#1", parent_id="a1",
                      thread_id="a1", text=text, crawled_at=NOW)  # fmt: skip
    tagged_article, tagged_comment = tagger.tag([article, comment])
    assert (tagged_article.title, tagged_article.text) == (article.title, article.text)
    assert tagged_comment.text == comment.text
    assert tagged_comment.sentiment is not None
