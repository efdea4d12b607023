"""Fine-tune a local transformer checkpoint for a task, score it on every dev set, write it.

``train_transformer_task("sentiment", shared_dir, models_dir, base=Path("phobert-base"))``
writes ``models/sentiment/transformer/``: the checkpoint, ``vnopinion.json``, ``metrics.json``
and ``MODEL_CARD.md``. The training rows, dev sets and metric tables are the linear model's
(``nlp.train``), so the two backends' cards compare line for line. Training is seeded; the
base is read from its folder and nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from nlp.datasets import DEV_SETS, LABELS, TRAIN_MAPS, TRAIN_SETS, Task, load_split
from nlp.evaluate import evaluate_examples
from nlp.train import SHORT_NAMES, TrainResult, _training_data, card_tail
from nlp.transformer import MAX_CHARS, TransformerTextClassifier, model_dir

__all__ = ["TransformerParams", "train_transformer_task"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TransformerParams:
    """Fine-tuning hyper-parameters; stored in metrics.json and the model card."""

    epochs: int = 3
    batch_size: int = 16
    max_length: int = 256
    learning_rate: float = 3e-5
    seed: int = 13
    limit: int | None = None  # at most this many train rows per dataset (smoke runs)


def train_transformer_task(
    task: Task,
    shared_dir: Path,
    models_dir: Path,
    base: Path,
    params: TransformerParams | None = None,
    today: date | None = None,
) -> TrainResult:
    """Fine-tune ``base`` on ``task``'s ``TRAIN_SETS``, evaluate on ``DEV_SETS``, write it."""
    params = params or TransformerParams()
    today = today or datetime.now(UTC).date()
    names = "-".join(SHORT_NAMES.get(name, name) for name in TRAIN_SETS[task])
    version = f"{task}-transformer-{base.resolve().name}-{names}-{today:%Y%m%d}"
    examples, sizes = _training_data(task, shared_dir, limit=params.limit)
    model = TransformerTextClassifier.from_base(
        base,
        LABELS[task],
        version=version,
        metadata={
            "task": task,
            "date": today.isoformat(),
            "base": str(base.resolve()),
            "train_sets": sizes,
            "label_maps": {name: TRAIN_MAPS[task][name] for name in TRAIN_SETS[task]},
        },
        max_length=params.max_length,
        seed=params.seed,
    )
    log.info("fine-tuning %s on %d examples", version, len(examples))
    started = time.perf_counter()
    model.fit(
        [ex.text for ex in examples],
        [ex.label for ex in examples],
        epochs=params.epochs,
        batch_size=params.batch_size,
        learning_rate=params.learning_rate,
        seed=params.seed,
    )
    seconds = time.perf_counter() - started
    dev = {
        name: evaluate_examples(task, load_split(shared_dir, name, "dev"), model)
        for name in DEV_SETS[task]
    }
    out = model_dir(models_dir, task)
    # Written beside, then swapped in: no stale weights of an earlier base survive.
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.save(staging)
    result = TrainResult(
        task=task,
        version=version,
        model_path=out,
        train_sizes=sizes,
        dev=dev,
        training_seconds=seconds,
        artifact_bytes=sum(p.stat().st_size for p in staging.rglob("*") if p.is_file()),
    )
    payload = {
        "version": version,
        "task": task,
        "backend": "transformer",
        "base": str(base.resolve()),
        "params": asdict(params),
        "date": today.isoformat(),
        "train_sizes": sizes,
        "training_seconds": round(seconds, 1),
        "artifact_bytes": result.artifact_bytes,
        "dev": dev,
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    (staging / "metrics.json").write_text(text, encoding="utf-8")
    card = _model_card(result, model, base, params, today)
    (staging / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return result


def _model_card(
    result: TrainResult,
    model: TransformerTextClassifier,
    base: Path,
    params: TransformerParams,
    today: date,
) -> str:
    task = result.task
    maps = "\n".join(
        f"- `{name}` ({result.train_sizes[name]} train rows): "
        + ", ".join(f"{src} → {dst}" for src, dst in TRAIN_MAPS[task][name].items())
        for name in TRAIN_SETS[task]
    )
    limit = (
        f" Smoke run: at most {params.limit} rows per dataset (`--limit`), evenly spaced."
        if params.limit is not None
        else ""
    )
    heads = ", ".join(f"{i} = `{label}`" for i, label in enumerate(model.labels))
    options = (
        f"--epochs {params.epochs} --batch-size {params.batch_size} "
        f"--max-length {params.max_length} --learning-rate {params.learning_rate} "
        f"--seed {params.seed}" + (f" --limit {params.limit}" if params.limit is not None else "")
    )
    lines = [
        f"# {result.version}",
        "",
        f"Task: **{task}** — labels {', '.join(LABELS[task])}. Backend `transformer`: the "
        f"local checkpoint `{base.resolve()}` ({model.model_type}, "
        f"{model.parameter_count:,} parameters) fine-tuned with a new "
        f"classification head. Date {today.isoformat()}, seed {params.seed}, artifact "
        f"folder `transformer/` {result.artifact_bytes / 1e6:.1f} MB (safetensors weights, "
        f"tokenizer, `vnopinion.json`), training time {result.training_seconds:.0f} s on CPU.",
        "",
        "No weights were downloaded: the base was read from that folder, and vnopinion has no "
        "code that fetches a model.",
        "",
        "## Data",
        "",
        "The linear model's train splits from ../shared/datasets (see each SOURCE.md; "
        "research-use terms), relabelled the same way. Dev splits only for the figures below; "
        "test splits are held out and never used." + limit,
        "",
        maps,
        "",
        f"Classification head (`id2label`, also in `vnopinion.json`): {heads}.",
        "",
        "## Model and training",
        "",
        f"- Input: NFC, first {MAX_CHARS} characters, the checkpoint's own tokenizer, "
        f"truncated to {model.token_limit} tokens. No word segmentation (PhoBERT was "
        "pre-trained on word-segmented text).",
        f"- Every weight fine-tuned: AdamW, learning rate {params.learning_rate} with linear "
        f"warm-up (10% of steps) and decay, weight decay 0.01, gradient norm clipped at 1.0, "
        f"batch size {params.batch_size}, {params.epochs} epochs, seed {params.seed}.",
        "",
    ]
    commands = [
        "pip install -e '.[transformer]'",
        f"vnopinion train --task {task} --backend transformer --base {base.resolve()} \\",
        f"    {options}",
        f"vnopinion eval --task {task} --backend transformer --data DEV.jsonl",
    ]
    note = (
        "Same data, base, seed and hyper-parameters on the same device and library versions "
        "give the same weights. No quality floors are pinned for this backend yet "
        "(`tests/nlp/test_linear_models.py` gates the linear models)."
    )
    return "\n".join(lines + card_tail(result, commands, note))
