"""Check that nlp.fast_segment reproduces underthesea.word_tokenize on every text we have.

    python bench/segment_equality.py [--workers 2] [--limit N] [--random 20000]

Reads the train and dev splits of every dataset in ../shared/datasets (never a test split),
data/indomain/*.jsonl and random hostile strings (seeded), segments each text both ways and
prints, per file, how many texts differ. Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path

from nlp.fast_segment import load_segmenter, underthesea_segment

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
SPLITS = ("train.jsonl", "dev.jsonl")
ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
    "0123456789+-.,;:!?/()[]\"'%$&@#_=*~^`<>|\\"
    "ΣσςΑαİıßǅǄǆẞﬁ١٢３４ⅫⅰΩΩ\u0301\u0300\u0309\u0303\u0323\u200b\u00a0\u2028"
    "😡👍🇻🇳❤️🤣…–—“”‘’«»¿¡中文日本語한국어ไทย"
)
WORDS = (
    "Hà Nội", "đền bù", "giải phóng mặt bằng", "TP.HCM", "-12", "+7", "2147483647",
    "2147483648", "-2147483648", "1.000.000đ", "3,5%", "www.vnexpress.net", "a@b.vn",
    "ĐỒNG Ý", "Đồng Ý", "đồng ý", "ko", "dc", "e-mail", "COVID-19", "A.I.", "Mr.", "U23",
)  # fmt: skip


def hostile_texts(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test strings, not secrets
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 30)):
            if rng.random() < 0.3:
                parts.append(rng.choice(WORDS))
            else:
                parts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))))
        texts.append(rng.choice(["", " ", "  ", "\n", "\t"]).join(parts) if parts else "")
    return texts


def sources(limit: int | None, random_count: int) -> dict[str, list[str]]:
    files = [DATASETS / d.name / s for d in sorted(DATASETS.iterdir()) if d.is_dir()
             for s in SPLITS if (DATASETS / d.name / s).is_file()]  # fmt: skip
    files += sorted((ROOT / "data" / "indomain").glob("*.jsonl"))  # files without text skipped
    out = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        out[str(path.relative_to(path.parents[1]))] = [r["text"] for r in rows if "text" in r][
            :limit
        ]
    out["random"] = hostile_texts(random_count)
    return out


_segment: Callable[[str], str] | None = None


def _start() -> None:
    global _segment
    _segment = load_segmenter()
    if _segment is underthesea_segment:
        raise SystemExit("the fast segmenter fell back to underthesea: nothing to compare")


def _differs(text: str) -> str | None:
    assert _segment is not None
    return None if _segment(text) == underthesea_segment(text) else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="texts per file")
    parser.add_argument("--random", type=int, default=20_000, help="random hostile strings")
    args = parser.parse_args()
    total = differences = 0
    began = time.perf_counter()
    with get_context("forkserver").Pool(args.workers, initializer=_start) as pool:
        for name, texts in sources(args.limit, args.random).items():
            bad = [t for t in pool.imap(_differs, texts, chunksize=16) if t is not None]
            total += len(texts)
            differences += len(bad)
            print(f"{name:<40}{len(texts):>8} texts {len(bad):>6} differ", flush=True)
            for text in bad[:3]:
                print(f"    e.g. {text[:200]!r}")
    print(f"{total} texts, {differences} differ ({time.perf_counter() - began:.0f} s)")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
