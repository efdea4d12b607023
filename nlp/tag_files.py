"""``vnopinion tag``: documents in JSON Lines in, the same documents with tags out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import TypeAdapter, ValidationError
from tqdm import tqdm

from indexer.documents import AnyDocument
from nlp.tagger import Tagger
from vnopinion.settings import Settings

_DOCUMENT: TypeAdapter[AnyDocument] = TypeAdapter(AnyDocument)


class BadDocumentError(ValueError):
    """A line that is not a vnopinion document: says which line and why."""


def read_documents(path: Path) -> Iterator[AnyDocument]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield _DOCUMENT.validate_python(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                raise BadDocumentError(f"{path}:{number}: not a document: {exc}") from exc


def tag_file(source: Path, out: Path, settings: Settings, batch_size: int = 256) -> int:
    """Tag every document of ``source`` into ``out`` (written whole, then renamed)."""
    tagger = Tagger(settings.models_dir, workers=settings.nlp_workers,
                    entities=settings.nlp_entities, backend=settings.nlp_backend)  # fmt: skip
    partial = out.with_name(out.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8") as handle, tqdm(unit="doc", disable=None) as bar:
            batch: list[AnyDocument] = []
            for document in read_documents(source):
                batch.append(document)
                if len(batch) >= batch_size:
                    count += _write(handle, tagger.tag(batch))
                    bar.update(len(batch))
                    batch = []
            count += _write(handle, tagger.tag(batch))
            bar.update(len(batch))
        partial.replace(out)
    finally:
        tagger.close()
        partial.unlink(missing_ok=True)
    return count


def _write(handle: IO[str], documents: list[AnyDocument]) -> int:
    for document in documents:
        handle.write(json.dumps(document.to_source(), ensure_ascii=False) + "\n")
    return len(documents)
