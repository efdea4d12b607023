from __future__ import annotations

from pathlib import Path

from crawlers.dedupe import NearDuplicates
from vnopinion.demo_site.content import load_site


def texts() -> list[str]:
    return [f"{a.title}\n" + "\n".join(a.body) for a in load_site().articles]


def syndicated(text: str) -> str:
    """A republished copy: another outlet's lead-in, one sentence dropped, a credit line."""
    sentences = text.split(". ")
    return "Theo báo đối tác, " + ". ".join(sentences[:5] + sentences[6:]) + " (Nguồn: TTXVN)"


def test_copy_on_another_site_points_to_the_first(tmp_path: Path) -> None:
    original, other = texts()[:2]
    index = NearDuplicates(tmp_path / "dup.sqlite")
    assert index.original_of("vnexpress", original) is None
    assert index.original_of("unrelated", other) is None
    assert index.original_of("tuoitre-copy", syndicated(original)) == "vnexpress"


def test_distinct_articles_are_not_duplicates(tmp_path: Path) -> None:
    index = NearDuplicates(tmp_path / "dup.sqlite")
    assert [index.original_of(f"a{n}", t) for n, t in enumerate(texts())] == [None] * len(texts())


def test_recrawl_of_the_same_article_is_not_its_own_copy_and_survives_reopen(
    tmp_path: Path,
) -> None:
    original = texts()[0]
    path = tmp_path / "dup.sqlite"
    index = NearDuplicates(path)
    assert index.original_of("first", original) is None
    index.close()
    reopened = NearDuplicates(path)
    assert reopened.original_of("first", original) is None
    assert reopened.original_of("copy", syndicated(original)) == "first"
    assert reopened.original_of("copy", syndicated(original)) == "first"


def test_short_texts_are_not_judged(tmp_path: Path) -> None:
    index = NearDuplicates(tmp_path / "dup.sqlite")
    assert index.original_of("a", "Giá điện tăng") is None
    assert index.original_of("b", "Giá điện tăng") is None
