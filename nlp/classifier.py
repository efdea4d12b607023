"""One interface over the text-classifier backends, and the loader that picks one.

- ``linear``: TF-IDF n-grams into a linear model (``nlp.linear``), ``models/<task>/model.joblib``;
  needs nothing beyond the default install.
- ``transformer``: a fine-tuned encoder (``nlp.transformer``), ``models/<task>/transformer/``;
  needs the extra ``vnopinion[transformer]`` (torch, transformers).

Both predict alike: ``predict_proba`` columns in ``labels`` order, ``predict`` the best label
and its probability per text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from indexer.errors import VnopinionError
from nlp.linear import LinearTextClassifier, model_path
from nlp.transformer import META_FILE, TransformerTextClassifier, model_dir

__all__ = [
    "BACKENDS",
    "Backend",
    "ModelNotFoundError",
    "TextClassifier",
    "artifact_path",
    "load_classifier",
]

Backend = Literal["linear", "transformer"]
BACKENDS: tuple[Backend, ...] = ("linear", "transformer")


class TextClassifier(Protocol):
    """What taggers and evaluation need from a trained model, whatever its backend."""

    @property
    def labels(self) -> list[str]: ...

    @property
    def version(self) -> str: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), len(labels)), columns in ``labels`` order."""
        ...

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, probability of that label) per text."""
        ...


class ModelNotFoundError(VnopinionError, FileNotFoundError):
    """No trained artifact for this task and backend."""


def artifact_path(models_dir: Path, task: str, backend: str) -> Path:
    """The file whose presence means ``task`` has a ``backend`` model."""
    if backend == "linear":
        return model_path(models_dir, task)
    if backend == "transformer":
        return model_dir(models_dir, task) / META_FILE
    raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")


def load_classifier(models_dir: Path, task: str, backend: str = "linear") -> TextClassifier:
    """The trained ``task`` model of ``backend``; a missing one says which command makes it."""
    path = artifact_path(models_dir, task, backend)
    if not path.exists():
        command = f"vnopinion train --task {task} --backend {backend}"
        if backend == "transformer":
            command += " --base PATH/TO/LOCAL/CHECKPOINT"
        raise ModelNotFoundError(
            f"No {backend} model for {task!r} in {models_dir} ({path} is missing).",
            hint=f"run `{command}`, or set VNOPINION_MODELS_DIR to where it was trained.",
        )
    if backend == "linear":
        return LinearTextClassifier.load(path)
    return TransformerTextClassifier.load(path.parent)
