"""Segmentation alone: texts/s of underthesea.word_tokenize against nlp.fast_segment, one
process, same texts, same run, alternating A/B rounds.

    python bench/segment_speed.py [--comments 2000] [--articles 200] [--rounds 3]

Inputs are the dev splits of ViHSD (comments) and VNTC (articles) in ../shared/datasets.
The fast segmenter is built fresh for the first round, so round 1 includes filling its
n-gram caches (a worker's first minutes); later rounds run on warm caches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nlp.fast_segment import load_segmenter, underthesea_segment

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def dev_texts(name: str, limit: int) -> list[str]:
    path = DATASETS / name / "dev.jsonl"
    if not path.is_file():
        sys.exit(f"bench/segment_speed needs {path}")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"] for _, line in zip(range(limit), handle, strict=False)]


def timed(segment: Callable[[str], str], texts: list[str]) -> float:
    began = time.perf_counter()
    for text in texts:
        segment(text)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    inputs = {"comments": dev_texts("vihsd", args.comments),
              "articles": dev_texts("vntc", args.articles)}  # fmt: skip
    underthesea_segment("khởi động")
    fast = load_segmenter()
    if fast is underthesea_segment:
        sys.exit("the fast segmenter fell back to underthesea (see the warning)")
    print(
        f"{'input':<10}{'round':>6}{'texts':>7}{'underthesea/s':>15}{'fast/s':>10}{'speed-up':>10}"
    )
    for label, texts in inputs.items():
        fast = load_segmenter()  # cold caches for round 1
        for round_ in range(1, args.rounds + 1):
            base = timed(underthesea_segment, texts)
            ours = timed(fast, texts)
            print(f"{label:<10}{round_:>6}{len(texts):>7}{len(texts) / base:>15.1f}"
                  f"{len(texts) / ours:>10.1f}{base / ours:>9.2f}x", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
