"""NLP benchmark: documents/s of underthesea's word_tokenize alone (one process) against our
full tagging (both cores), on the same comments and articles in the same run.

    python bench/nlp_speed.py [--comments 2000] [--articles 200]

Inputs are the dev splits of ViHSD (social-media comments) and VNTC (news articles) in
../shared/datasets, read in place. Full tagging = normalisation, segmentation, watch topics,
keywords, sentiment, toxicity, news category (articles) and place, all in worker processes;
"with NER" adds underthesea NER.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from indexer.documents import AnyDocument, Article, Comment
from nlp.tagger import Tagger
from vnopinion.settings import Settings

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def dev_texts(name: str, limit: int) -> list[str]:
    path = DATASETS / name / "dev.jsonl"
    if not path.is_file():
        sys.exit(f"bench/nlp needs {path}")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for _, line in zip(range(limit), handle, strict=False)]


def as_documents(texts: list[str], kind: str) -> list[AnyDocument]:
    now = datetime.now(UTC)
    common = {"source": "bench", "source_name": "bench", "crawled_at": now}
    if kind == "article":
        return [Article(id=f"a{n}", url=f"u{n}", title=t[:80], text=t, **common)  # type: ignore[arg-type]
                for n, t in enumerate(texts)]  # fmt: skip
    return [Comment(id=f"c{n}", url=f"u{n}", parent_id="a", thread_id="a", text=t, **common)  # type: ignore[arg-type]
            for n, t in enumerate(texts)]  # fmt: skip


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    from underthesea import word_tokenize

    inputs = {"comments": ("comment", dev_texts("vihsd", args.comments)),
              "articles": ("article", dev_texts("vntc", args.articles))}  # fmt: skip
    word_tokenize("khởi động", format="text")
    settings = Settings()
    rows = []
    for label, (kind, texts) in inputs.items():
        began = time.perf_counter()
        for text in texts:
            word_tokenize(text, format="text")
        baseline = time.perf_counter() - began
        timings = []
        for entities in (False, True):
            tagger = Tagger(settings.models_dir, workers=settings.nlp_workers, entities=entities)
            tagger.start()  # start the workers and load the models outside the clock
            tagger.tag(as_documents(["Khởi động mô hình"], kind))
            docs = as_documents(texts, kind)
            began = time.perf_counter()
            for start in range(0, len(docs), 256):
                tagger.tag(docs[start : start + 256])
            timings.append(time.perf_counter() - began)
            tagger.close()
        rows.append((label, len(texts), baseline, *timings))
    print(f"{'input':<10}{'docs':>6}  {'word_tokenize/s':>16}{'tag (no NER)/s':>16}"
          f"{'speed-up':>10}{'tag + NER/s':>14}")  # fmt: skip
    for label, count, baseline, no_ner, with_ner in rows:
        print(f"{label:<10}{count:>6}  {rate(count, baseline):>16}{rate(count, no_ner):>16}"
              f"{baseline / no_ner:>9.2f}x{rate(count, with_ner):>14}")  # fmt: skip
    print(
        f"(one process for word_tokenize; tagging runs in {settings.nlp_workers or 'all'} "
        "worker processes, batches of 256)"
    )
    for label, (_, texts) in inputs.items():
        print(f"{label}: {len(set(texts))} distinct texts of {len(texts)} (repeats are cached)")


if __name__ == "__main__":
    main()
