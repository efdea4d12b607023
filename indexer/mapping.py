"""The index template, derived from the document model.

Monthly indices ``<alias>-YYYY.MM`` (by ``published_at``, UTC) sit behind one alias. Only
features of the integ-test-zip distribution are used, so the same template runs unchanged
on a full production cluster (../shared/DESIGN.md section 6).
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from indexer.documents import SCHEMA_VERSION, AnyDocument, Article, Comment, EsField

MODELS: tuple[type[BaseModel], ...] = (Article, Comment)
UNDATED_SUFFIX = "undated"


def model_properties(model: type[BaseModel]) -> dict[str, Any]:
    """Elasticsearch ``properties`` for a pydantic model whose fields carry ``EsField``."""
    properties: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        es = _es_field(field.metadata, field.annotation)
        if es is not None:
            properties[name] = dict(es.mapping)
            continue
        nested = _model_in(field.annotation)
        if nested is None:
            raise TypeError(f"{model.__name__}.{name} has no EsField and is not a model")
        properties[name] = {"properties": model_properties(nested)}
    return properties


def _union_args(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    return typing.get_args(annotation) if origin in (typing.Union, types.UnionType) else ()


def _es_field(metadata: list[Any], annotation: Any) -> EsField | None:
    """The EsField on a field, also when it sits inside ``Annotated[...] | None``."""
    found = [m for m in metadata if isinstance(m, EsField)]
    for arg in _union_args(annotation):
        found += [m for m in getattr(arg, "__metadata__", ()) if isinstance(m, EsField)]
    return found[0] if found else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside ``X | None``, if any."""
    for candidate in (annotation, *_union_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def document_mapping() -> dict[str, Any]:
    """One mapping for both kinds: the union of Article and Comment fields."""
    properties: dict[str, Any] = {}
    for model in MODELS:
        for name, mapping in model_properties(model).items():
            if properties.setdefault(name, mapping) != mapping:
                raise TypeError(f"field {name!r} is mapped differently by two document kinds")
    return {
        "dynamic": "strict",
        "_meta": {"schema_version": SCHEMA_VERSION},
        "properties": properties,
    }


def index_settings() -> dict[str, Any]:
    return {
        "number_of_shards": 1,
        # No replica on a single node (green, not yellow); one as soon as a second node joins.
        "auto_expand_replicas": "0-1",
        "analysis": {
            # Segmented words are joined with "_". The standard tokenizer keeps "thủ_tục"
            # whole (UAX#29 treats "_" as a word joiner) and drops punctuation; the
            # whitespace tokenizer would keep "quá," but lives in a module the zip lacks.
            "analyzer": {
                "vn_segmented": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase"],
                }
            }
        },
    }


def template_name(alias: str) -> str:
    return alias


def index_template(alias: str) -> dict[str, Any]:
    """Body of the composable index template for ``<alias>-*`` indices."""
    return {
        "index_patterns": [f"{alias}-*"],
        "priority": 200,
        "_meta": {"schema_version": SCHEMA_VERSION, "managed_by": "vnopinion"},
        "template": {
            "settings": index_settings(),
            "mappings": document_mapping(),
            "aliases": {alias: {}},
        },
    }


def index_for_date(alias: str, published_at: datetime | None) -> str:
    """The monthly index a document lives in; stable because published_at is."""
    if published_at is None:
        return f"{alias}-{UNDATED_SUFFIX}"
    return f"{alias}-{published_at:%Y.%m}"


def index_for(alias: str, document: AnyDocument) -> str:
    return index_for_date(alias, document.published_at)
