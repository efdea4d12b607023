"""Watch-topic rules scored on the in-domain corpus (train and dev splits).

Usage: python bench/indomain_topics.py [--topics nlp/topics.yaml] [--show TOPIC] [--train-only]
                                      [--rules-only]

By default topics are decided as the tagger decides them: the rules and the watch-topic model
of models/watch_topics (``WatchTopicModel.decide``); ``--rules-only`` scores the rules alone.
The model was fitted on all of train, so its train figures are in-sample; its card has the
out-of-fold ones.

Texts are normalised and segmented exactly as the tagger does (Segmenter, one worker);
the segmented texts are cached under /tmp so that re-scoring after a rule edit is instant.
``--show TOPIC`` lists that topic's false negatives and false positives on TRAIN (never on
dev: dev is for checking the tuned rules, not for tuning them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

# Import the checkout's packages first: bench/ itself (sys.path[0]) holds a bench/nlp.py.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.indomain import Labelled, load_split  # noqa: E402
from nlp.normalize import normalize  # noqa: E402
from nlp.segment import Segmenter  # noqa: E402
from nlp.topics import DEFAULT_TOPICS_PATH, WatchTopics  # noqa: E402
from nlp.watch_model import WatchTopicModel, watch_model_path  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "vnopinion-indomain-segmented.json"


def segmented(rows: list[Labelled]) -> dict[str, str]:
    """Text -> segmented normalised text, from the /tmp cache where it has them."""
    cache: dict[str, str] = json.loads(CACHE.read_text("utf-8")) if CACHE.exists() else {}
    key = {r.text: hashlib.sha1(r.text.encode()).hexdigest() for r in rows}
    todo = sorted({r.text for r in rows if key[r.text] not in cache})
    if todo:
        segmenter = Segmenter(workers=1)
        try:
            done = segmenter.segment_many([normalize(t) for t in todo])
        finally:
            segmenter.close()
        cache.update({key[t]: s for t, s in zip(todo, done, strict=True)})
        CACHE.write_text(json.dumps(cache, ensure_ascii=False), "utf-8")
    return {r.text: cache[key[r.text]] for r in rows}


def score(
    rows: list[Labelled], predicted: list[set[str]], topics: list[str]
) -> tuple[dict[str, tuple[int, int, int]], tuple[int, int, int]]:
    per: dict[str, Counter[str]] = {t: Counter() for t in topics}
    for row, pred in zip(rows, predicted, strict=True):
        gold = set(row.topics)
        for t in topics:
            if t in gold and t in pred:
                per[t]["tp"] += 1
            elif t in pred:
                per[t]["fp"] += 1
            elif t in gold:
                per[t]["fn"] += 1
    table = {t: (c["tp"], c["fp"], c["fn"]) for t, c in per.items()}
    total = tuple(sum(v[i] for v in table.values()) for i in range(3))
    return table, (total[0], total[1], total[2])


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=DEFAULT_TOPICS_PATH)
    parser.add_argument("--show", metavar="TOPIC", help="list TRAIN misses of this topic")
    parser.add_argument("--train-only", action="store_true", help="do not score dev")
    parser.add_argument("--rules-only", action="store_true", help="leave the model out")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    rules = WatchTopics.load(args.topics)
    model = None if args.rules_only else WatchTopicModel.load(watch_model_path(args.models))
    keys = list(rules.topics)
    splits = ["train"] if args.train_only else ["train", "dev"]
    data = {s: load_split(s) for s in splits}
    seg = segmented([r for rows in data.values() for r in rows])
    tables = {}
    for split, rows in data.items():
        matches = [rules.match(seg[r.text]) for r in rows]
        if model is not None:
            proba = model.predict_proba([r.text for r in rows])
            decided = [model.decide(m, p) for m, p in zip(matches, proba, strict=True)]
            matches = [{t: kept.get(t, []) for t in topics} for topics, kept in decided]
        table, total = score(rows, [set(m) for m in matches], keys)
        tables[split] = table
        p, r, f = prf(*total)
        print(f"{split:<6} n={len(rows):<5} micro P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        if split == "train" and args.show:
            for row, m in zip(rows, matches, strict=True):
                gold, hit = args.show in row.topics, args.show in m
                if gold != hit:
                    tag = "FN" if gold else f"FP {m[args.show] or '(model)'}"
                    print(f"  {tag} {row.id} {sorted(row.topics)}: {row.text}")
    header = f"{'topic':<22}" + "".join(f"{s + ' P/R/F1':>22}" for s in splits)
    print(header)
    for t in keys:
        cells = "".join("{:>10.2f}{:>6.2f}{:>6.2f}".format(*prf(*tables[s][t])) for s in splits)
        print(f"{t:<22}{cells}")


if __name__ == "__main__":
    main()
