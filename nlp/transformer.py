"""A fine-tuned transformer encoder (PhoBERT, ViSoBERT, a multilingual BERT, ...) as a classifier.

``TransformerTextClassifier`` wraps any local Hugging Face sequence-classification checkpoint
(``AutoTokenizer`` + ``AutoModelForSequenceClassification``) behind the linear model's
contract: ``labels``, ``version``, ``metadata``, ``predict_proba`` (columns in ``labels``
order) and ``predict``. Weights are only ever read from a local folder: nothing is downloaded.

torch and transformers are the optional extra ``vnopinion[transformer]``; they are imported
when a model is built or loaded, never when this module is imported.

The artifact is a folder: the checkpoint as ``save_pretrained`` writes it (config,
safetensors weights, tokenizer files) and ``vnopinion.json`` (format, version, labels,
maximum length, metadata). The text a model reads is NFC and at most ``MAX_CHARS``
characters; the checkpoint's own tokenizer does the rest (PhoBERT was pre-trained on
word-segmented text; this backend feeds it raw text, as it does every checkpoint).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from tqdm import tqdm

from indexer.errors import VnopinionError
from nlp.text import nfc

__all__ = [
    "FORMAT",
    "MAX_CHARS",
    "META_FILE",
    "TransformerTextClassifier",
    "TransformerUnavailableError",
    "model_dir",
]

log = logging.getLogger(__name__)

FORMAT = "vnopinion-transformer/1"
META_FILE = "vnopinion.json"
# Comments are short; a pasted 1 MB text must not cost seconds of tokenising for 256 tokens.
MAX_CHARS = 4000
# RoBERTa-style position embeddings start after the padding index: two positions fewer.
_ROBERTA_LIKE = {"roberta", "xlm-roberta", "camembert", "bertweet"}


class TransformerUnavailableError(VnopinionError, ImportError):
    """torch or transformers is not installed (the optional extra)."""


def _require() -> tuple[ModuleType, ModuleType]:
    """(torch, transformers), or a named failure that says how to install them."""
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise TransformerUnavailableError(
            f"The transformer backend needs torch and transformers ({exc.name} is missing).",
            hint="pip install 'vnopinion[transformer]' (in a checkout: pip install -e "
            "'.[transformer]'), or use the linear backend.",
        ) from exc
    return torch, transformers


def resolve_device(torch: ModuleType, device: str) -> str:
    """``auto``: the first CUDA GPU when torch sees one, else the CPU; or ``cpu``/``cuda[:n]``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise TransformerUnavailableError(
            f"device {device!r} asked for, but torch sees no CUDA GPU",
            hint="use device 'auto' or 'cpu', or install a CUDA build of torch with its driver.",
        )
    return device


def model_dir(models_dir: Path, task: str) -> Path:
    """Where the transformer artifact of ``task`` lives (``models/<task>/transformer``)."""
    return models_dir / task / "transformer"


def _clean(text: str) -> str:
    return nfc(text[: MAX_CHARS * 2])[:MAX_CHARS]


def _optimizer(
    torch: ModuleType, model: Any, steps: int, learning_rate: float, weight_decay: float,
    warmup: int,
) -> tuple[Any, Any]:  # fmt: skip
    """AdamW, with the learning rate warmed up over ``warmup`` steps, then decayed to 0."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)

    def scale(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (steps - step) / max(1, steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, scale)


class TransformerTextClassifier:
    """A sequence-classification checkpoint whose labels are our task's label names."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        version: str = "unversioned",
        metadata: dict[str, Any] | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        device: str = "auto",
    ) -> None:
        torch, _ = _require()
        self.device = resolve_device(torch, device)
        self._model = model.to(self.device)
        self._tokenizer = tokenizer
        config = model.config
        self.labels: list[str] = [str(config.id2label[i]) for i in range(config.num_labels)]
        self.version = version
        self.metadata: dict[str, Any] = metadata if metadata is not None else {}
        self.max_length = max_length
        self.batch_size = batch_size

    @classmethod
    def from_base(
        cls,
        base_path: Path,
        labels: Sequence[str],
        *,
        version: str = "unversioned",
        metadata: dict[str, Any] | None = None,
        max_length: int = 256,
        seed: int = 13,
        device: str = "auto",
    ) -> TransformerTextClassifier:
        """A local checkpoint with a new classification head for ``labels`` (in that order)."""
        if not (base_path / "config.json").is_file():
            raise FileNotFoundError(
                f"{base_path}: not a local Hugging Face checkpoint (no config.json). "
                "vnopinion never downloads weights: point --base at a folder that holds them."
            )
        torch, transformers = _require()
        names = [str(label) for label in labels]
        torch.manual_seed(seed)  # the new head's initial weights
        tokenizer = transformers.AutoTokenizer.from_pretrained(base_path, local_files_only=True)
        if tokenizer.pad_token is None:
            raise ValueError(f"{base_path}: the tokenizer has no padding token")
        model, info = transformers.AutoModelForSequenceClassification.from_pretrained(
            base_path,
            local_files_only=True,
            num_labels=len(names),
            id2label=dict(enumerate(names)),
            label2id={name: i for i, name in enumerate(names)},
            problem_type="single_label_classification",
            ignore_mismatched_sizes=True,
            output_loading_info=True,
        )
        if not info.get("missing_keys") and not info.get("mismatched_keys"):
            log.warning(
                "%s already has a %d-class head: fine-tuning starts from it, named %s",
                base_path, len(names), names,
            )  # fmt: skip
        model.eval()
        return cls(
            model, tokenizer, version=version, metadata=metadata, max_length=max_length,
            device=device,
        )  # fmt: skip

    @property
    def model_type(self) -> str:
        """The checkpoint's architecture family (``bert``, ``roberta``, ``xlm-roberta``, ...)."""
        return str(self._model.config.model_type)

    @property
    def parameter_count(self) -> int:
        return int(sum(p.numel() for p in self._model.parameters()))

    @property
    def token_limit(self) -> int:
        """``max_length`` capped by what the checkpoint's positions and tokenizer allow."""
        config = self._model.config
        limit = self.max_length
        positions = getattr(config, "max_position_embeddings", None)
        if positions:
            limit = min(limit, positions - (2 if config.model_type in _ROBERTA_LIKE else 0))
        return int(min(limit, self._tokenizer.model_max_length))

    def _encode(self, texts: Sequence[str]) -> Any:
        return self._tokenizer(
            [_clean(text) for text in texts],
            truncation=True,
            max_length=self.token_limit,
            padding=True,
            return_tensors="pt",
        ).to(self.device)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        epochs: int = 3,
        batch_size: int = 16,
        learning_rate: float = 3e-5,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        seed: int = 13,
    ) -> TransformerTextClassifier:
        """Fine-tune every weight with AdamW, linear warm-up and decay; seeded, on ``device``."""
        if len(texts) != len(labels) or not texts:
            raise ValueError("fit needs as many labels as texts, and at least one text")
        unknown = set(labels) - set(self.labels)
        if unknown:
            raise ValueError(f"labels {sorted(unknown)} are not among {self.labels}")
        torch, _ = _require()
        torch.manual_seed(seed)  # dropout
        order = torch.Generator().manual_seed(seed)
        ids = [self.labels.index(label) for label in labels]
        steps = -(-len(texts) // batch_size) * epochs
        optimizer, schedule = _optimizer(
            torch, self._model, steps, learning_rate, weight_decay, int(steps * warmup_ratio)
        )
        self._model.train()
        for epoch in range(1, epochs + 1):
            started, losses = time.perf_counter(), []
            batches = torch.randperm(len(texts), generator=order).split(batch_size)
            for batch in tqdm(batches, desc=f"epoch {epoch}/{epochs}", leave=False, disable=None):
                rows = batch.tolist()
                encoded = self._encode([texts[i] for i in rows])
                gold = torch.tensor([ids[i] for i in rows], device=self.device)
                output = self._model(**encoded, labels=gold)
                output.loss.backward()
                torch.nn.utils.clip_grad_norm_(self._model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                losses.append(output.loss.item())
            log.info(
                "epoch %d/%d: mean loss %.4f over %d batches (%.0f s)",
                epoch, epochs, sum(losses) / len(losses), len(losses),
                time.perf_counter() - started,
            )  # fmt: skip
        self._model.eval()
        self.metadata["training"] = {
            "examples": len(texts),
            "epochs": epochs,
            "batch_size": batch_size,
            "max_length": self.token_limit,
            "learning_rate": learning_rate,
            "weight_decay": weight_decay,
            "warmup_ratio": warmup_ratio,
            "seed": seed,
            "device": self.device,
        }
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (len(texts), len(labels)), columns in ``labels`` order."""
        torch, _ = _require()
        proba = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        # Similar lengths share a batch, so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self._model.eval()
        with torch.no_grad():
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                logits = self._model(**self._encode([texts[i] for i in rows])).logits
                proba[rows] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return proba

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, probability of that label) per text."""
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        return [(self.labels[i], float(proba[row, i])) for row, i in enumerate(best)]

    def save(self, directory: Path) -> None:
        """The checkpoint (``save_pretrained``), its tokenizer and ``vnopinion.json``."""
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save_pretrained(directory)
        self._tokenizer.save_pretrained(directory)
        meta = {
            "format": FORMAT,
            "version": self.version,
            "labels": self.labels,
            "max_length": self.max_length,
            "metadata": self.metadata,
        }
        text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
        (directory / META_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, device: str = "auto") -> TransformerTextClassifier:
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"{directory}: no {META_FILE}, not a vnopinion transformer")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{meta_path}: format {meta.get('format')!r} is not {FORMAT!r}")
        _, transformers = _require()
        tokenizer = transformers.AutoTokenizer.from_pretrained(directory, local_files_only=True)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            directory, local_files_only=True
        )
        model.eval()
        loaded = cls(
            model,
            tokenizer,
            version=meta["version"],
            metadata=meta["metadata"],
            max_length=int(meta["max_length"]),
            device=device,
        )
        if loaded.labels != meta["labels"]:
            raise ValueError(
                f"{directory}: config labels {loaded.labels} differ from {META_FILE}'s "
                f"{meta['labels']}"
            )
        return loaded
