"""Dev scores of the shipped linear models beside published anchors.

Usage: python bench/nlp_accuracy.py [--shared ../shared/datasets] [--models models]
Anchors are the papers' test-set figures; ours are dev figures (test splits are held out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Import the checkout's packages first: bench/ itself (sys.path[0]) holds a bench/nlp.py.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.datasets import load_split  # noqa: E402
from nlp.evaluate import evaluate_examples  # noqa: E402
from nlp.linear import LinearTextClassifier, load_model  # noqa: E402

# (task, dataset, metric, anchor model, anchor score in %)
ROWS = [
    ("sentiment", "uit_vsfc", "macro-F1", "PhoBERT-base", 83.3),
    ("toxicity", "vihsd", "macro-F1", "ViSoBERT", 68.8),
    ("toxicity", "uit_victsd", "toxic F1", "PhoBERT", 59.4),
    ("topic", "vntc", "accuracy", "underthesea TF-IDF + LinearSVC (accuracy)", 92.5),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    header = f"{'dataset':<12}{'metric':<10}{'ours (dev)':>11}{'macro-F1':>10}  anchor"
    print(header)
    print("-" * len(header))
    models: dict[str, LinearTextClassifier] = {}
    for task, dataset, metric, anchor, score in ROWS:
        model = models.setdefault(task, load_model(args.models, task))
        result = evaluate_examples(task, load_split(args.shared, dataset, "dev"), model)  # type: ignore[arg-type]
        ours = {
            "toxic F1": result["per_class"].get("toxic", {}).get("f1", 0.0),
            "accuracy": result["accuracy"],
        }.get(metric, result["macro_f1"])
        print(
            f"{dataset:<12}{metric:<10}{100 * ours:>11.1f}{100 * result['macro_f1']:>10.1f}"
            f"  {anchor} {score:.1f}"
        )


if __name__ == "__main__":
    main()
