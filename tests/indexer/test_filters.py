"""Filters, time buckets, folding highlights and cursors: the pure parts of the read API."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer.buckets import (
    INTERVALS,
    Interval,
    bucket_count,
    bucket_end,
    bucket_floor,
    bucket_starts,
)
from indexer.filters import (
    VN_TZ,
    FilterError,
    Filters,
    Vocabulary,
    es_query,
    make_filters,
    parse_bound,
)
from indexer.queries import decode_cursor, encode_cursor
from indexer.snippets import _spans, folded_terms, mark, snippet
from indexer.text import fold, fold_with_offsets

VOCABULARY = Vocabulary(topics={"dat_dai": "Đất đai"}, categories={"phap-luat": "Pháp luật"})


def test_dates_are_vietnam_days_and_until_includes_its_day() -> None:
    assert parse_bound("since", "2026-11-20", end=False) == datetime(2026, 11, 20, tzinfo=VN_TZ)
    assert parse_bound("until", "2026-11-20", end=True) == datetime(2026, 11, 21, tzinfo=VN_TZ)
    assert parse_bound("since", "2026-11-20T08:30", end=False).utcoffset() == timedelta(hours=7)
    utc = parse_bound("until", "2026-11-20T01:00:00Z", end=True)
    assert utc == datetime(2026, 11, 20, 8, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"topic": ["dat_dai", "nope"]}, "topic"),
        ({"category": ["the-thao"]}, "category"),
        ({"kind": ["post"]}, "kind"),
        ({"sentiment": ["happy"]}, "sentiment"),
        ({"since": "2026-11-20", "until": "2026-11-19"}, "until"),
        ({"since": "2026-11-20T10:00", "until": "2026-11-20T10:00"}, "until"),
        ({"since": "2022-01-01", "until": "2026-01-01"}, "since"),
        ({"since": "hôm qua"}, "since"),
    ],
)
def test_refused_filters_name_the_parameter(values: dict[str, object], field: str) -> None:
    with pytest.raises(FilterError) as caught:
        make_filters(VOCABULARY, **values)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert "(" in caught.value.message  # Vietnamese, then English in parentheses


def test_filters_are_cleaned_and_translated() -> None:
    filters = make_filters(
        VOCABULARY, topic=["dat_dai", " dat_dai", ""], province=["Thành phố Hà Nội"],
        sentiment=["negative", "untagged"], q="  thủ tục ", since="2026-11-01",
    )  # fmt: skip
    assert filters.topics == ("dat_dai",)
    assert filters.q == "thủ tục"
    query = es_query(filters)
    clauses = query["bool"]["filter"]
    assert {"terms": {"watch_topics": ["dat_dai"]}} in clauses
    assert {"terms": {"place.province": ["Thành phố Hà Nội"]}} in clauses
    assert {"range": {"published_at": {"gte": "2026-11-01T00:00:00+07:00"}}} in clauses
    should = query["bool"]["must"][0]["bool"]["should"]
    assert should[0]["simple_query_string"]["query"] == "thu tuc"
    assert should[0]["simple_query_string"]["fields"] == ["text_folded"]
    assert "query_string" not in str(query).replace("simple_query_string", "")
    assert make_filters(VOCABULARY, q="   ").q is None


def test_window_defaults() -> None:
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    window = Filters().window(timedelta(days=7), now)
    assert window.until == now
    assert window.since == now - timedelta(days=7)


def test_buckets_follow_the_vietnam_calendar() -> None:
    late = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # 01:30 on the 25th in Vietnam
    assert bucket_floor(late, "day") == datetime(2026, 11, 25, tzinfo=VN_TZ)
    assert bucket_floor(late, "week") == datetime(2026, 11, 23, tzinfo=VN_TZ)  # a Monday
    assert bucket_floor(late, "month") == datetime(2026, 11, 1, tzinfo=VN_TZ)
    assert bucket_end(datetime(2026, 12, 1, tzinfo=VN_TZ), "month") == datetime(
        2027, 1, 1, tzinfo=VN_TZ
    )
    since, until = datetime(2026, 11, 1, tzinfo=VN_TZ), datetime(2026, 11, 26, tzinfo=VN_TZ)
    assert bucket_count(since, until, "day") == 25
    assert bucket_count(since, until, "week") == 5
    assert bucket_count(since, until, "hour") == 25 * 24
    assert bucket_count(datetime(2024, 1, 15, tzinfo=VN_TZ), until, "month") == 35


@pytest.mark.parametrize("interval", INTERVALS)
def test_bucket_starts_name_every_bucket_the_window_touches(interval: Interval) -> None:
    since = datetime(2025, 12, 30, 17, 45, tzinfo=UTC)  # 00:45 on 31 December in Vietnam
    until = datetime(2026, 3, 2, 9, 10, tzinfo=VN_TZ)
    starts = bucket_starts(since, until, interval)
    assert len(starts) == bucket_count(since, until, interval)
    assert starts[0] == bucket_floor(since, interval)
    assert starts[-1] < until <= bucket_end(starts[-1], interval)
    assert all(bucket_end(a, interval) == b for a, b in itertools.pairwise(starts))
    assert all(start.utcoffset() == timedelta(hours=7) for start in starts)


def test_fold_with_offsets_maps_back_to_the_original() -> None:
    text = "Đền bù  THỦ TỤC"
    folded, offsets = fold_with_offsets(text)
    assert folded == "den bu  thu tuc"
    assert len(offsets) == len(folded)
    assert fold(text) == "den bu thu tuc"


@pytest.mark.parametrize(
    "text",
    ["Đền bù 😀👍🏽 “quá” chậm…", "e\u0301 a\u0300 (dấu rời)", "ﬁle İstanbul", "ΣΑΣ όσος", ""],
)
def test_fold_with_offsets_is_the_same_on_its_fast_path(text: str) -> None:
    """The first call folds character by character (and learns the characters); the second
    takes the one-translate path where it can. Both give what each character folds to."""
    first = fold_with_offsets(text)
    second = fold_with_offsets(text)
    assert (first[0], list(first[1])) == (second[0], list(second[1]))
    expected = "".join(fold_with_offsets(ch)[0] for ch in text)
    assert first[0] == expected
    assert [text[i] for i in first[1]] == [
        ch for ch in text for _ in range(len(fold_with_offsets(ch)[0]))
    ]


def test_marks_words_found_folded_and_escapes_html() -> None:
    text = "<b>Thủ tục</b> & hồ sơ: thủ tục; thu tục; thủ tướng"
    [piece] = mark(text, folded_terms("thu tuc"))
    assert piece == (
        "&lt;b&gt;<mark>Thủ</mark> <mark>tục</mark>&lt;/b&gt; &amp; hồ sơ: <mark>thủ</mark> "
        "<mark>tục</mark>; <mark>thu</mark> <mark>tục</mark>; <mark>thủ</mark> tướng"
    )
    assert mark("không có gì", ["thu"]) == []
    long = "mở đầu " * 60 + "thủ tục" + " kết thúc" * 60
    [cut] = mark(long, ["tuc"])
    assert (cut[0], cut[-1]) == ("…", "…")
    assert "<mark>tục</mark>" in cut
    assert len(cut) < 220


def test_snippet_and_query_terms() -> None:
    assert snippet("a " * 300, 10) == "a a a a a…"
    assert folded_terms("ĐẤT -đai (hồ) OR") == ["dat", "ho", "or"]


def test_cursor_round_trip_and_tampering() -> None:
    cursor = encode_cursor("time", [1764000000000, "vnexpress.net:1"])
    assert decode_cursor(cursor, "time") == [1764000000000, "vnexpress.net:1"]
    for bad in ("", "@@@", encode_cursor("time", [1]), cursor[:-3]):
        with pytest.raises(FilterError):
            decode_cursor(bad, "time")
    with pytest.raises(FilterError):
        decode_cursor(cursor, "relevance")


def _spans_by_folding(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """The reference: fold the whole text, match the folded words, map back."""
    folded, offsets = fold_with_offsets(text)
    words = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    found = re.finditer(rf"(?<!\w)(?:{words})(?!\w)", folded)
    return [(offsets[m.start()], offsets[m.end() - 1] + 1) for m in found]


ODD_TEXTS = [
    "THỦ TỤC hành chính; Thu_tuc; thủtục; 2thu tuc3",
    "Thu\u0309 tu\u0323c (NFD, marks apart) and ĐỀN BÙ, Đền bù, đền bù",
    "Kelvin \u212a, ﬁle, İstanbul, straße, Σίσυφος, 東京 thủ tục 🙂 thủ tục",
    "tiếng Việt ÿ ǅ ǆ ß ẞ ı ŉ ᾳ ǰ thu tuc",
    "",
]
QUERIES = ["thu tuc", "den bu", "dat dai", "k file", "istanbul", "σισυφος", "東京", "ǆ", "2thu"]


def test_matching_as_written_finds_what_folding_finds() -> None:
    """``mark`` matches most texts without folding them (indexer.snippets): same spans as
    folding every text, on our in-domain corpus and on texts built to trip it."""
    corpus = Path(__file__).parents[2] / "data" / "indomain" / "dev.jsonl"
    texts = [json.loads(line)["text"] for line in corpus.read_text("utf-8").splitlines()]
    words = sorted({w for t in texts[:200] for w in fold(t).split() if w.isalpha()})
    queries = [*QUERIES, *(" ".join(words[i : i + 2]) for i in range(0, len(words), 37))]
    checked = 0
    for text in [*texts, *ODD_TEXTS]:
        for query in queries:
            terms = folded_terms(query)
            assert _spans(text, terms) == _spans_by_folding(text, terms), (text, query)
            checked += bool(_spans_by_folding(text, terms))
    assert checked > 100  # the comparison saw many real matches, not only empty ones
