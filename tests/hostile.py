"""Shared pieces of the hostile-input suite (marker ``hostile``; README, "Tests and CI").

Hypothesis settings are sized for a busy two-core machine: few examples, no per-example
deadline (a slow example on a loaded machine is not a failure), and time bounds asserted
as generous behaviour checks ("1 MB in under 10 s"), never as benchmarks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

# Every property runs with these unless it says otherwise.
FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VERY_FEW = settings(FEW, max_examples=10)

# Letters and marks that informal Vietnamese text is made of, plus what hostile text adds.
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"  # tones, circumflex, breve, horn
HOSTILE_CHARS = "\x00\x01\x0b\x1f\x7f\u200b\u200d\ufeff\ufffe\uffff\u202e\ufe0f"
EMOJI = "😡👍🤬😂❤️🇻🇳👨‍👩‍👧⭐⏰"
PUNCTUATION = " .,!?…-_/@:#\"'()[]{}<>&*~\\|\n\t"


def informal_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text shaped like a comment thread at its worst: Vietnamese letters with loose
    combining marks, teencode, stretched letters, emoji, URLs, control characters."""
    pieces = st.one_of(
        st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + MARKS, min_size=1, max_size=8),
        st.sampled_from(["ko", "k", "dc", "đc", "bt", "ng", "j", "vs", "TP.HCM", "20 k"]),
        st.text(alphabet=VIETNAMESE, min_size=1, max_size=2).map(lambda s: s * 5),
        st.text(alphabet=EMOJI, min_size=1, max_size=4),
        st.text(alphabet=PUNCTUATION, min_size=1, max_size=3),
        st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=2),
        st.sampled_from(["https://vnexpress.net/a-1.html", "a.b@c.vn", "@ban", "www.x.vn/"]),
        st.integers(0, 10**6).map(str),
    )
    return st.lists(pieces, max_size=max_size // 4).map(" ".join) | st.text(max_size=max_size)


@contextmanager
def finishes_within(seconds: float, what: str) -> Iterator[None]:
    """Fail if the block takes longer than ``seconds`` (set generously: behaviour, not speed)."""
    start = time.monotonic()
    yield
    took = time.monotonic() - start
    assert took < seconds, f"{what} took {took:.1f} s (bound {seconds} s)"


def megabyte(unit: str) -> str:
    """About 1 MB (encoded) of ``unit`` repeated."""
    return unit * (1_000_000 // max(1, len(unit.encode("utf-8"))))


def never_raises_except(call: Callable[[], T], *allowed: type[BaseException]) -> T | BaseException:
    """The call's result, or the allowed (named) error it raised; anything else propagates."""
    try:
        return call()
    except allowed as error:
        return error
