"""The seeded corpus (tests/api/corpus.py) in a real alias, once for the API tests, and an
app over it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.bulk import index_documents
from indexer.client import make_client
from indexer.documents import AnyDocument
from indexer.filters import Vocabulary
from indexer.node import LocalNode
from indexer.setup import ensure_index
from tests.api.corpus import CRAWLED, build
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="package")
def corpus() -> list[AnyDocument]:
    return build()


@contextmanager
def seeded_alias(es_settings: Settings, docs: list[AnyDocument]) -> Iterator[Settings]:
    """Settings whose fresh alias holds ``docs`` (indexed and refreshed; removed at the end)."""
    alias = f"t-{uuid.uuid4().hex[:10]}-corpus"
    client = make_client(es_settings)
    try:
        ensure_index(client, alias, now=CRAWLED)
        result = index_documents(client, docs, alias, progress=False)
        assert result.indexed == len(docs), result.summary()
        client.indices.refresh(index=alias)
        yield es_settings.model_copy(update={"index_alias": alias})
    finally:
        indices = list(client.indices.get(index=f"{alias}-*", allow_no_indices=True))
        if indices:  # deleting by wildcard is refused (action.destructive_requires_name)
            client.indices.delete(index=",".join(indices))
        client.options(ignore_status=404).indices.delete_index_template(name=alias)
        client.close()


@pytest.fixture(scope="package")
def corpus_settings(
    es_node: LocalNode, es_settings: Settings, corpus: list[AnyDocument]
) -> Iterator[Settings]:
    """Settings whose alias holds the corpus (indexed once, removed at the end)."""
    with seeded_alias(es_settings, corpus) as settings:
        yield settings


@pytest.fixture(scope="package")
def api(corpus_settings: Settings, vocabulary: Vocabulary) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings, vocabulary)) as client:
        yield client
