"""The index mapping in a real node matches the schema in ../shared/DESIGN.md section 2."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import Elasticsearch

from indexer.documents import SCHEMA_VERSION, Article, Comment
from indexer.mapping import document_mapping, model_properties
from indexer.setup import ensure_index

# DESIGN.md section 2, field by field ("title: text + .raw keyword", "sentiment.label /
# .score: keyword / float", ...). Fields we added beyond DESIGN are listed separately.
DESIGN_TYPES = {
    "id": "keyword", "kind": "keyword", "source": "keyword", "source_name": "keyword",
    "url": "keyword", "parent_id": "keyword", "thread_id": "keyword", "section": "keyword",
    "title": "text", "title.raw": "keyword", "text": "text", "text_seg": "text",
    "text_folded": "text", "published_at": "date", "crawled_at": "date",
    "author_id": "keyword", "likes": "integer", "replies": "integer",
    "sentiment.label": "keyword", "sentiment.score": "float",
    "toxicity.label": "keyword", "toxicity.score": "float", "category": "keyword",
    "watch_topics": "keyword", "entities.per": "keyword", "entities.org": "keyword",
    "entities.loc": "keyword", "place.province": "keyword", "place.commune": "keyword",
    "keywords": "keyword", "model_version": "keyword", "schema_version": "keyword",
}  # fmt: skip
EXTRA_TYPES = {
    "lead": "text", "author": "keyword", "tags": "keyword", "author_name": "keyword",
    "place.as_written": "keyword", "duplicate_of": "keyword",
    "watch_terms": "keyword",
}  # fmt: skip


def flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"sentiment.label": "keyword", "title.raw": "keyword", ...}`` from ES properties."""
    flat: dict[str, str] = {}
    for name, spec in properties.items():
        path = prefix + name
        if "properties" in spec:
            flat.update(flatten(spec["properties"], path + "."))
            continue
        flat[path] = spec["type"]
        for sub, sub_spec in spec.get("fields", {}).items():
            flat[f"{path}.{sub}"] = sub_spec["type"]
    return flat


def model_paths() -> set[str]:
    paths: set[str] = set()
    for model in (Article, Comment):
        paths |= set(flatten(model_properties(model)))
    return paths


def test_every_design_field_is_in_the_document_model() -> None:
    assert set(DESIGN_TYPES) <= model_paths()


@pytest.mark.es
def test_real_mapping_has_every_model_field_with_the_design_type(
    es: Elasticsearch, alias: str
) -> None:
    setup = ensure_index(es, alias)
    mapping = es.indices.get_mapping(index=setup.index)[setup.index]["mappings"]
    actual = flatten(mapping["properties"])
    expected = DESIGN_TYPES | EXTRA_TYPES
    for path in model_paths():
        assert path in actual, f"{path} is not mapped"
        assert actual[path] == expected[path], f"{path}: {actual[path]} != {expected[path]}"
    assert mapping["_meta"]["schema_version"] == SCHEMA_VERSION
    assert mapping["dynamic"] == "strict"


@pytest.mark.es
def test_segmented_text_keeps_joined_words(es: Elasticsearch, alias: str) -> None:
    setup = ensure_index(es, alias)
    tokens = es.indices.analyze(
        index=setup.index, field="text_seg", text="Thủ_tục hành_chính rườm_rà quá, ko thể"
    )["tokens"]
    assert [t["token"] for t in tokens] == ["thủ_tục", "hành_chính", "rườm_rà", "quá", "ko", "thể"]


def test_mapping_is_derived_once_for_both_kinds() -> None:
    mapping = document_mapping()
    assert mapping["properties"]["kind"] == {"type": "keyword"}
    assert "parent_id" in mapping["properties"]
    assert "title" in mapping["properties"]
