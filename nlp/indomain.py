"""The team's in-domain corpus: citizens' comments and article leads, labelled twice.

``data/indomain/`` holds, per writer ``X``: ``part-X.jsonl`` (the texts with the writer's
first-pass labels), ``pass2-X.jsonl`` (a second labeller's blind labels) and
``adjudicated-X.jsonl`` (the final labels, by the guide, where the two passes differ).
``build`` joins them into the final labels, records every disagreement with both passes and
the decision (``disagreements.jsonl``), splits train and dev (stratified by writer, kind and
sentiment, seeded) and writes the data card with the agreement figures.

    python -m nlp.indomain            # rebuild train.jsonl, dev.jsonl, DATA_CARD.md
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

__all__ = ["DATA_DIR", "Labelled", "build", "load_split"]

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "indomain"
DEV_SHARE = 0.25
SEED = 17
# Writers who joined after the dev split was fixed, to give the models more to learn from:
# all their texts go to train, so dev stays the same 429 texts and figures before and after
# compare like with like.
TRAIN_ONLY_WRITERS = frozenset({"c", "d"})
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Labelled:
    id: str
    kind: str
    text: str
    sentiment: str
    topics: tuple[str, ...]
    style: tuple[str, ...]


def _read(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {row["id"]: row for row in rows}


def _parts(data_dir: Path) -> list[str]:
    return sorted(p.stem.removeprefix("part-") for p in data_dir.glob("part-*.jsonl"))


def _final(
    first: dict[str, Any], second: dict[str, Any], decided: dict[str, Any] | None
) -> tuple[str, tuple[str, ...]]:
    agree = first["sentiment"] == second["sentiment"] and set(first["topics"]) == set(
        second["topics"]
    )
    if agree:
        return first["sentiment"], tuple(sorted(first["topics"]))
    if decided is None:
        raise ValueError(f"{first['id']}: the passes disagree and no adjudication exists")
    return decided["sentiment"], tuple(sorted(decided["topics"]))


def _agreement(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, float]:
    first = [a["sentiment"] for a, _ in pairs]
    second = [b["sentiment"] for _, b in pairs]
    both = sum(len(set(a["topics"]) & set(b["topics"])) for a, b in pairs)
    either = sum(len(set(a["topics"])) + len(set(b["topics"])) for a, b in pairs)
    return {
        "texts": len(pairs),
        "sentiment_agreement": sum(x == y for x, y in zip(first, second, strict=True)) / len(pairs),
        "sentiment_kappa": float(cohen_kappa_score(first, second)),
        "topics_identical": sum(set(a["topics"]) == set(b["topics"]) for a, b in pairs)
        / len(pairs),
        "topics_f1": 2 * both / either if either else 1.0,
    }


def build(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """Write train.jsonl, dev.jsonl, disagreements.jsonl and DATA_CARD.md; return the stats."""
    final: list[Labelled] = []
    disagreements: list[dict[str, Any]] = []
    agreement: dict[str, dict[str, float]] = {}
    writers: dict[str, str] = {}
    seen: set[str] = set()
    repeats: list[str] = []
    for part in _parts(data_dir):
        texts = _read(data_dir / f"part-{part}.jsonl")
        second = _read(data_dir / f"pass2-{part}.jsonl")
        decided_path = data_dir / f"adjudicated-{part}.jsonl"
        decided = _read(decided_path) if decided_path.exists() else {}
        missing = set(texts) - set(second)
        if missing:
            raise ValueError(f"pass2-{part}.jsonl lacks {len(missing)} ids, e.g. {min(missing)}")
        agreement[part] = _agreement([(texts[i], second[i]) for i in sorted(texts)])
        for i in sorted(texts):
            row = texts[i]
            sentiment, topics = _final(row, second[i], decided.get(i))
            if row["text"].strip() in seen:  # two writers wrote the same one-liner ("Chuẩn!")
                repeats.append(i)
                continue
            seen.add(row["text"].strip())
            writers[i] = part
            final.append(Labelled(i, row["kind"], row["text"], sentiment, topics,
                                  tuple(row.get("style", ()))))  # fmt: skip
            if i in decided:
                disagreements.append({
                    "id": i, "text": row["text"],
                    "pass1": {"sentiment": row["sentiment"], "topics": row["topics"]},
                    "pass2": {"sentiment": second[i]["sentiment"],
                              "topics": second[i]["topics"]},
                    "final": {"sentiment": sentiment, "topics": list(topics)},
                    "reason": decided[i].get("reason", ""),
                })  # fmt: skip
    train, dev = _split(final, writers)
    kept = {row.id for row in train} | {row.id for row in dev}
    near = [row.id for row in final if row.id not in kept]
    for name, rows in (("train", train), ("dev", dev)):
        _write(data_dir / f"{name}.jsonl", [_as_row(r) for r in rows])
    _write(data_dir / "disagreements.jsonl", disagreements)
    stats = {"agreement": agreement, "train": len(train), "dev": len(dev),
             "disagreements": len(disagreements), "repeats_left_out": repeats,
             "near_dev_left_out": near}  # fmt: skip
    (data_dir / "DATA_CARD.md").write_text(_card(final, train, dev, stats), encoding="utf-8")
    return stats


def _split(rows: list[Labelled], writers: dict[str, str]) -> tuple[list[Labelled], list[Labelled]]:
    groups: dict[tuple[str, str, str], list[Labelled]] = defaultdict(list)
    train: list[Labelled] = []
    dev: list[Labelled] = []
    later: list[Labelled] = []
    for row in rows:
        if writers[row.id] in TRAIN_ONLY_WRITERS:
            later.append(row)
        else:
            groups[(writers[row.id], row.kind, row.sentiment)].append(row)
    rng = random.Random(SEED)  # noqa: S311 - a reproducible split, not security
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda r: r.id)
        rng.shuffle(members)
        cut = round(len(members) * DEV_SHARE)
        dev += members[:cut]
        train += members[cut:]
    train += [row for row in later if not near_copy(row.text, dev)]
    return sorted(train, key=lambda r: r.id), sorted(dev, key=lambda r: r.id)


NEAR_COPY = 0.5  # Jaccard similarity of character 5-grams


def _grams(text: str) -> set[str]:
    flat = " ".join(text.lower().split())
    return {flat[i : i + 5] for i in range(max(1, len(flat) - 4))}


def near_copy(text: str, rows: list[Labelled]) -> bool:
    """Whether ``text`` nearly repeats one of ``rows`` (a generic one-liner like "Cảm ơn
    phóng viên..." written again): such a text of a train-only writer stays out of train, so
    that dev does not test what train already holds."""
    grams = _grams(text)
    return any(len(grams & (other := _grams(row.text))) / len(grams | other) > NEAR_COPY
               for row in rows)  # fmt: skip


def _as_row(row: Labelled) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "text": row.text,
        "label": row.sentiment,
        "sentiment": row.sentiment,
        "topics": list(row.topics),
        "style": list(row.style),
    }


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_split(split: str, data_dir: Path = DATA_DIR) -> list[Labelled]:
    """The built ``train`` or ``dev`` split."""
    rows = _read(data_dir / f"{split}.jsonl")
    return [Labelled(r["id"], r["kind"], r["text"], r["sentiment"], tuple(r["topics"]),
                     tuple(r["style"])) for r in rows.values()]  # fmt: skip


def _card(final: list[Labelled], train: list[Labelled], dev: list[Labelled],
          stats: dict[str, Any]) -> str:  # fmt: skip
    def counts(rows: list[Labelled]) -> str:
        c = Counter(r.sentiment for r in rows)
        return " / ".join(f"{c[s]}" for s in SENTIMENTS)

    topic_counts = Counter(t for r in final for t in r.topics)
    repeated = ", ".join(stats["repeats_left_out"]) or "none"
    lines = [
        "# In-domain corpus: citizens' comments and article leads (data card)",
        "",
        "Written by the vnopinion team for this project (our own text, invented: no real "
        "comment copied, no real person named), in the register of Vietnamese news comment "
        "threads about local governance: teencode, missing diacritics, sarcasm, long rants, "
        "one-liners, questions, old and new (post-July-2025) place names. Labelled by "
        "`nlp/LABELLING.md`. License: as the project's.",
        "",
        f"- Texts: {len(final)} ({sum(r.kind == 'comment' for r in final)} comments, "
        f"{sum(r.kind == 'lead' for r in final)} article leads); writers "
        f"{', '.join(sorted(stats['agreement']))}.",
        f"- Split (stratified by writer, kind and sentiment; seed {SEED}): train {len(train)}, "
        f"dev {len(dev)}. Writers {', '.join(sorted(TRAIN_ONLY_WRITERS))} joined after the "
        "split was fixed and wrote for train only (without seeing dev), so dev is unchanged.",
        f"- Sentiment negative / neutral / positive: all {counts(final)}; train {counts(train)}; "
        f"dev {counts(dev)}.",
        "- Texts without a watch topic: "
        f"{sum(not r.topics for r in final)}; with two or more: "
        f"{sum(len(r.topics) > 1 for r in final)}.",
        "",
        "## Labelling: two passes",
        "",
        "Pass 1 by the writer while writing; pass 2 by a second labeller who saw only the "
        "text (blind, shuffled). Where they differ, the final labels were decided by the guide "
        "(adjudication, reason recorded) and every such case is kept in "
        "`disagreements.jsonl` with both passes and the decision.",
        "",
        "| writer | texts | sentiment agreement | Cohen's kappa | identical topic sets | "
        "topic F1 between passes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for part, a in sorted(stats["agreement"].items()):
        lines.append(
            f"| {part} | {a['texts']} | {a['sentiment_agreement']:.3f} | "
            f"{a['sentiment_kappa']:.3f} | {a['topics_identical']:.3f} | {a['topics_f1']:.3f} |"
        )
    lines += [
        "",
        f"Disagreements adjudicated: {stats['disagreements']}. Texts written twice (identical "
        f"one-liners from both writers) kept once; left out: {repeated}. Texts of writers "
        f"{', '.join(sorted(TRAIN_ONLY_WRITERS))} that nearly repeat a dev text (character "
        f"5-gram Jaccard above {NEAR_COPY}) left out of train: "
        f"{', '.join(stats['near_dev_left_out']) or 'none'}.",
        "",
        "## Watch topics (texts carrying each)",
        "",
        "| topic | texts |",
        "|---|---:|",
        *[f"| {t} | {n} |" for t, n in sorted(topic_counts.items())],
        "",
        "## Files",
        "",
        "`part-*.jsonl` (texts, pass 1, style tags), `pass2-*.jsonl`, `adjudicated-*.jsonl`, "
        "`disagreements.jsonl`, and the built `train.jsonl` / `dev.jsonl` (`id`, `kind`, "
        "`text`, `sentiment` (also as `label`, so `vnopinion eval --task sentiment --data "
        "data/indomain/dev.jsonl` reads it), `topics`, `style`). Rebuild with "
        "`python -m nlp.indomain`. An independent in-domain test set is kept outside the "
        "project by the project lead.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(build(), indent=2))
