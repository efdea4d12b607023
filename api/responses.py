"""Answers the hot routes build themselves.

A route that returns a model makes FastAPI check it against ``response_model`` and then
serialise it: for a /trends answer of a hundred buckets that is more work than the rest of
the request. The routes below still declare ``response_model`` (it documents the answer in
OpenAPI) but hand back a finished ``Response``, which FastAPI sends as it is.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel

__all__ = ["json_response", "model_response"]

JSON = "application/json"


def json_response(body: Any) -> Response:
    """``body`` (JSON-ready values; aware datetimes become ISO 8601 with their offset, as
    pydantic writes them) as a JSON response."""
    return Response(orjson.dumps(body), media_type=JSON)


def model_response(model: BaseModel) -> Response:
    """``model`` serialised as FastAPI would (by alias), without checking it again."""
    return Response(model.model_dump_json(by_alias=True), media_type=JSON)
