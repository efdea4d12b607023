"""Prepare documents for the index with whatever NLP exists.

Today that is the folded text for accent-insensitive search. Tags (sentiment, toxicity,
topics, entities, places) are added by the NLP issue's models; until then documents go
in without tags, never with invented ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.documents import AnyDocument, Article
from nlp.text import fold


def prepare(document: AnyDocument) -> AnyDocument:
    parts = [document.title, document.lead or ""] if isinstance(document, Article) else []
    parts.append(document.text)
    folded = fold("\n".join(p for p in parts if p))
    return document.model_copy(update={"text_folded": folded or None})


def prepare_all(documents: Iterable[AnyDocument]) -> list[AnyDocument]:
    return [prepare(d) for d in documents]
