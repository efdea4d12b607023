"""Build the keyword table (``models/keywords/idf.json.gz`` and its model card).

Document frequencies come from the train splits of every dataset in ../shared/datasets
(``KEYWORD_SETS``): news articles (VNTC) and comments and feedback (the rest), normalised and
segmented exactly as the tagger does. The same data and date give the same bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from tqdm import tqdm

from nlp.datasets import load_split
from nlp.keywords import (
    ARTICLE_KEYWORDS,
    COMMENT_KEYWORDS,
    COMPOUND_BOOST,
    MIN_DF,
    IdfTable,
    KeywordExtractor,
    keywords_path,
    load_stopwords,
)
from nlp.normalize import normalize
from nlp.segment import Segmenter

__all__ = ["KEYWORD_SETS", "train_keywords"]

log = logging.getLogger(__name__)

KEYWORD_SETS = ("vntc", "uit_vsfc", "uit_vsmec", "vihsd", "uit_victsd")
ARTICLE_CHARS = 3000  # a long article's head carries its vocabulary; the rest costs time
BATCH = 512
EXAMPLE = (
    "Người dân phường Yên Hòa phản ánh thủ tục cấp sổ đỏ kéo dài, hồ sơ bị trả lại nhiều lần "
    "vì thiếu giấy tờ; cán bộ một cửa hướng dẫn không rõ ràng."
)


def _texts(shared_dir: Path) -> tuple[list[str], dict[str, int]]:
    texts: list[str] = []
    sizes: dict[str, int] = {}
    for name in KEYWORD_SETS:
        rows = load_split(shared_dir, name, "train")
        sizes[name] = len(rows)
        texts += [normalize(row.text[:ARTICLE_CHARS]) for row in rows]
    return texts, sizes


def _segmented(texts: list[str], segmenter: Segmenter, progress: bool) -> Iterator[str]:
    with tqdm(total=len(texts), desc="segmenting", unit="doc", disable=not progress) as bar:
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            yield from segmenter.segment_many(batch)
            bar.update(len(batch))


def train_keywords(
    shared_dir: Path, models_dir: Path, today: date | None = None, progress: bool = True
) -> Path:
    """Count document frequencies, write the table and its card; return the table's path."""
    today = today or datetime.now(UTC).date()
    version = f"keywords-idf-{today:%Y%m%d}"
    texts, sizes = _texts(shared_dir)
    log.info("segmenting %d training documents for %s", len(texts), version)
    started = time.perf_counter()
    stopwords = load_stopwords()
    with Segmenter() as segmenter:
        table = IdfTable.count(_segmented(texts, segmenter, progress), version, stopwords)
    seconds = time.perf_counter() - started
    path = keywords_path(models_dir)
    table.save(path)
    with Segmenter(workers=1) as segmenter:
        example = KeywordExtractor(table, stopwords).extract(
            segmenter.segment(normalize(EXAMPLE)), COMMENT_KEYWORDS
        )
    card = _model_card(table, sizes, path, seconds, example, len(stopwords))
    (path.parent / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    return path


def _model_card(
    table: IdfTable,
    sizes: dict[str, int],
    path: Path,
    seconds: float,
    example: list[str],
    stopwords: int,
) -> str:
    data = "\n".join(f"- `{name}` train: {count} documents" for name, count in sizes.items())
    return "\n".join(
        [
            f"# {table.version}",
            "",
            "Keyword table for word clouds (`nlp/keywords.py`): document frequencies of "
            f"{len(table.df)} terms over {table.documents} documents (terms seen in fewer than "
            f"{MIN_DF} documents are left out). `{path.name}` is "
            f"{path.stat().st_size / 1e6:.2f} MB; built in {seconds:.0f} s on 2 CPU cores.",
            "",
            "## Data",
            "",
            "Train splits from ../shared/datasets (see each SOURCE.md; research-use terms); "
            f"articles cut to their first {ARTICLE_CHARS} characters. Text normalised "
            "(`nlp.normalize`) and segmented with underthesea, as the tagger does.",
            "",
            data,
            "",
            "## Scoring",
            "",
            f"Candidates: segmented words minus {stopwords} stop words (`nlp/stopwords.txt`), "
            "numbers, punctuation, emoji and placeholders. Score `(1 + ln tf) * idf`, "
            f"idf = `ln((N + 1) / (df + 1)) + 1`; words of two or more syllables x"
            f"{COMPOUND_BOOST}. Articles keep {ARTICLE_KEYWORDS} keywords, comments "
            f"{COMMENT_KEYWORDS}.",
            "",
            "Example (a comment written for this card):",
            "",
            f"> {EXAMPLE}",
            "",
            "Keywords: " + ", ".join(f"`{term}`" for term in example),
            "",
            "No dev metric: keywords have no labelled set here. The VNTC articles date from "
            "2007, so newer words (the 2025 merger's vocabulary) count as rare, which suits "
            "word clouds of what is new.",
            "",
            "## Reproduce",
            "",
            "```",
            "vnopinion train --task keywords",
            "```",
            "",
            "Same data and date → byte-identical `idf.json.gz`.",
            "",
        ]
    )
