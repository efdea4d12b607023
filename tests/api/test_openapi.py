"""The OpenAPI document: every endpoint described in Vietnamese, views derived from the model."""

from __future__ import annotations

import re
from typing import Any

from api.app import create_app
from indexer.documents import Article, Comment
from indexer.filters import Vocabulary
from indexer.views import HIDDEN_FIELDS
from vnopinion.settings import Settings

VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
ENDPOINTS = {"/health", "/search", "/documents/{doc_id}", "/trends", "/topics", "/spikes",
             "/places", "/sources", "/keywords", "/export",
             "/documents/{doc_id}/corrections", "/metrics"}  # fmt: skip
AUTH = {"/auth/login", "/auth/logout", "/auth/me"}


def openapi(vocabulary: Vocabulary) -> dict[str, Any]:
    return create_app(Settings(_env_file=None), vocabulary).openapi()  # type: ignore[call-arg]


def test_every_endpoint_is_described_in_vietnamese(vocabulary: Vocabulary) -> None:
    spec = openapi(vocabulary)
    assert set(spec["paths"]) == ENDPOINTS | AUTH
    for path, operations in spec["paths"].items():
        (operation,) = operations.values()
        assert VIETNAMESE.search(operation["summary"]), path
        assert VIETNAMESE.search(operation["description"]), path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{path} {parameter['name']}"
    assert "Asia/Ho_Chi_Minh" in spec["paths"]["/trends"]["get"]["description"]


def test_shared_filters_on_every_analytics_endpoint(vocabulary: Vocabulary) -> None:
    spec = openapi(vocabulary)
    shared = {"topic", "category", "source", "kind", "province", "sentiment", "q", "since",
              "until"}  # fmt: skip
    unfiltered = {"/health", "/documents/{doc_id}", "/documents/{doc_id}/corrections", "/metrics"}
    for path in ENDPOINTS - unfiltered:
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert shared <= names, path


def test_document_views_follow_the_model_without_hidden_fields(vocabulary: Vocabulary) -> None:
    schemas = openapi(vocabulary)["components"]["schemas"]
    for model, view in ((Article, "ArticleView"), (Comment, "CommentView")):
        shown = set(schemas[view]["properties"])
        assert shown == set(model.model_fields) - set(HIDDEN_FIELDS)
    assert "children" in schemas["ThreadComment"]["properties"]
